// Imported first by main.ts: OpenTelemetry patches modules as they are first loaded.
import { startTracing } from '@bvs/platform/tracing';

startTracing('billing');
