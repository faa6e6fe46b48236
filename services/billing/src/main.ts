import './tracing';
import 'reflect-metadata';
import { runMain } from '@bvs/platform';
import { startBillingService } from './app';

runMain(() => startBillingService(process.env));
