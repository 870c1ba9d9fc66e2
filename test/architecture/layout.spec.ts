import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { ENTITIES } from '../../src/database/entities';

const root = join(__dirname, '../..');
const src = join(root, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every source file, as `src/...` paths with their text. */
const files = walk(src).map((f) => ({ path: relative(root, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));

/** Lines of `text` matching `re`, as `path:line: text`. */
function hits(path: string, text: string, re: RegExp): string[] {
  return text.split('\n').flatMap((line, i) => (re.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
}

/** SQL statements (and PostgreSQL's functions, which only SQL calls). */
const SQL = /SELECT |INSERT INTO|UPDATE .* SET|DELETE FROM|\bpg_\w+\(|LISTEN \$\{/;

/** Where SQL may be written: repositories (one per table, each saying why its raw SQL earns its place) and the database layer. */
const sqlAllowed = (path: string) => path.endsWith('.repository.ts') || path.startsWith('src/database/');

/** The ordinary tables: each has a TypeORM entity in ENTITIES, used through its module's repository. */
const ORDINARY_TABLES = ['api_keys', 'alert_channels', 'anomaly_rules', 'silences', 'alerts', 'alert_events', 'services'];

/** The module that owns each ordinary table: the only one that may hold its entity. */
const OWNER: Record<string, string> = {
  api_keys: 'src/api-keys/',
  alert_channels: 'src/alert-channels/',
  anomaly_rules: 'src/anomalies/',
  silences: 'src/anomalies/',
  alerts: 'src/anomalies/',
  alert_events: 'src/anomalies/',
  services: 'src/ingestion/',
};

/** Timers that are not periodic work, each with its reason. */
const TIMER_EXCEPTIONS: Record<string, string> = {
  // One timer per open stream that keeps its connection alive through proxies: it lives and dies with
  // the stream (cleared on close), writes nothing and touches no table.
  'src/ingestion/live-tail/live-tail.service.ts': 'the live tail\'s per-stream SSE heartbeat',
};

const SCHEDULING = /@Interval\(|@Cron\(|@Timeout\(|SchedulerRegistry|setInterval\(|\.schedule\(\{/;
const schedulingAllowed = (path: string) => path.endsWith('.scheduler.ts') || path.startsWith('src/common/scheduling/');

describe('layout', () => {
  it('keeps SQL in repositories and src/database/ only', () => {
    const found = files.filter((f) => !sqlAllowed(f.path)).flatMap((f) => hits(f.path, f.text, SQL));
    expect(found).toEqual([]);
  });

  it('writes every table from one module (raw SQL writes, by the module folder they sit in)', () => {
    const WRITE = /(?:INSERT INTO|UPDATE|DELETE FROM)\s+([a-z_]+)/g;
    const writers = new Map<string, Set<string>>();
    for (const f of files.filter((x) => x.path.endsWith('.repository.ts'))) {
      const module = f.path.split('/').slice(0, 2).join('/');
      for (const m of f.text.matchAll(WRITE)) {
        if (!writers.has(m[1])) writers.set(m[1], new Set());
        writers.get(m[1])!.add(module);
      }
    }
    const shared = [...writers].filter(([, modules]) => modules.size > 1).map(([table, modules]) => `${table}: ${[...modules].sort().join(', ')}`);
    expect(shared).toEqual([]);
    // The ordinary tables written through TypeORM repositories are held to the same rule by the entity test below.
    for (const table of ORDINARY_TABLES) {
      for (const module of writers.get(table) ?? []) expect([table, `${module}/`]).toEqual([table, OWNER[table]]);
    }
  });

  it('has an entity in ENTITIES for every ordinary table, in its owner module', () => {
    const tables = getMetadataArgsStorage().tables.filter((t) => ENTITIES.includes(t.target as never));
    expect(tables.map((t) => t.name).sort()).toEqual(expect.arrayContaining([...ORDINARY_TABLES].sort()));
    for (const table of ORDINARY_TABLES) {
      const file = files.find((f) => f.path.includes('/entities/') && f.text.includes(`@Entity('${table}')`));
      expect({ table, file: file?.path.startsWith(OWNER[table]) ? 'in its owner module' : file?.path }).toEqual({ table, file: 'in its owner module' });
    }
  });

  it('keeps only entities in entities/ folders', () => {
    const strays = files.filter((f) => f.path.includes('/entities/') && !(f.path.endsWith('.entity.ts') && f.text.includes('@Entity(')));
    expect(strays.map((f) => f.path)).toEqual([]);
  });

  it('uses an entity only inside the module that owns its table', () => {
    const crossing = files.flatMap((f) => {
      if (f.path === 'src/database/entities.ts') return [];
      const module = f.path.split('/').slice(0, 2).join('/') + '/';
      return [...f.text.matchAll(/from '([^']*\/entities\/[^']*)'/g)]
        .map((m) => relative(root, join(root, f.path, '..', m[1])).split('\\').join('/'))
        .filter((target) => !target.startsWith(module))
        .map((target) => `${f.path} imports ${target}`);
    });
    expect(crossing).toEqual([]);
  });

  it('schedules periodic work only in *.scheduler.ts files (through the TaskScheduler)', () => {
    const found = files
      .filter((f) => !schedulingAllowed(f.path))
      .flatMap((f) => hits(f.path, f.text, SCHEDULING).filter(() => !(f.path in TIMER_EXCEPTIONS)));
    expect(found).toEqual([]);
    // The exceptions are real and hold exactly one timer each, so an added periodic task there still fails.
    for (const path of Object.keys(TIMER_EXCEPTIONS)) {
      const file = files.find((f) => f.path === path);
      expect({ path, timers: file ? hits(path, file.text, SCHEDULING).length : 'missing' }).toEqual({ path, timers: 1 });
    }
    for (const f of files.filter((x) => x.path.endsWith('.scheduler.ts'))) {
      expect({ path: f.path, usesTaskScheduler: /TaskScheduler/.test(f.text) && !/@Interval|@Cron|setInterval/.test(f.text) }).toEqual({ path: f.path, usesTaskScheduler: true });
    }
  });
});

describe('test files', () => {
  const tests = walk(join(root, 'test')).map((f) => ({ path: relative(root, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));
  /** Booting the app: the test app helper, Nest's factory, or a Tracer child process. */
  const BOOTS = /createTestApp\(|NestFactory|src\/main\.ts|run-cli'|tracer-process'/;

  it('name every file that boots the app *.e2e.spec.ts', () => {
    const misnamed = tests.filter((f) => f.path !== 'test/architecture/layout.spec.ts' && f.path.endsWith('.spec.ts') && !f.path.endsWith('.e2e.spec.ts') && BOOTS.test(f.text));
    expect(misnamed.map((f) => f.path)).toEqual([]);
  });
});
