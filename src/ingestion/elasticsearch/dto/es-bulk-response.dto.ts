/** Why one bulk item failed. */
export class EsBulkItemErrorDto {
  /** `document_parsing_exception` for a refused document, `illegal_argument_exception` for update/delete. */
  type: string;
  reason: string;
}

/** The outcome of one action, keyed by its action name (`index` or `create`) in EsBulkResponseDto.items. */
export class EsBulkItemDto {
  _index: string;
  _id: string;
  /** 201 when the document is stored, 400 when it was refused. */
  status: number;
  result?: string;
  error?: EsBulkItemErrorDto;
}

/** Elasticsearch's bulk response: one item per action, in request order. */
export class EsBulkResponseDto {
  /** Milliseconds the request took. */
  took: number;
  /** True when at least one item failed. */
  errors: boolean;
  /** `[{"create": EsBulkItemDto}, {"index": EsBulkItemDto}, ...]` */
  items: Record<string, EsBulkItemDto>[];
}

export class EsVersionDto {
  number: string;
  build_flavor: string;
  lucene_version: string;
  minimum_wire_compatibility_version: string;
}

/** The document Elasticsearch answers on `GET /`, which shippers probe for the version. */
export class EsInfoDto {
  name: string;
  cluster_name: string;
  cluster_uuid: string;
  version: EsVersionDto;
  tagline: string;
}
