import './tracing';
import 'reflect-metadata';
import { runMain } from '@bvs/platform';
import { startGateway } from './app';

runMain(() => startGateway(process.env));
