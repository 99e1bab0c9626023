// The Web Worker entry: registers the genz core's functions with workerpool.
import { worker } from 'workerpool';
import { workerApi } from './worker-api.ts';

worker({ ...workerApi });
