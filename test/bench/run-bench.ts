// `npm run bench`: runs every benchmark and writes bench-results.json at the project root.
import { fileURLToPath } from 'node:url';
import { writeBenchReport } from './bench-report.ts';
import { benchEngineScale } from './engine-scale.bench.ts';
import { benchSchedulePreview } from './schedule-preview.bench.ts';

const figures = { ...benchSchedulePreview(), ...(await benchEngineScale()) };
writeBenchReport(figures, fileURLToPath(new URL('../../bench-results.json', import.meta.url)));
