// The DTOs live in dto/ so the Swagger plugin (which reads *.dto.ts files only) documents their fields.
export { AlertEvidenceDto, SlowRouteDto, TopErrorDto } from './dto/alert-evidence.dto';
export type { AlertEvidence } from './dto/alert-evidence.dto';
