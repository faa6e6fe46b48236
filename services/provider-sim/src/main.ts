import './tracing';
import 'reflect-metadata';
import { runMain } from '@bvs/platform';
import { startProviderSim } from './app';

runMain(() => startProviderSim(process.env));
