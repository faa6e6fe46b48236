import './tracing';
import 'reflect-metadata';
import { runMain } from '@bvs/platform';
import { startWalletService } from './app';

runMain(() => startWalletService(process.env));
