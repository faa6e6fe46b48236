import './tracing';
import 'reflect-metadata';
import { runMain } from '@bvs/platform';
import { startAuthService } from './app';

runMain(() => startAuthService(process.env));
