// The Node-only public API: everything of index.ts plus helpers that touch files and processes
// (measurement files, the kernels-ref driver). cli/ imports from here; web/ imports index.ts only.
export * from './index.ts';
export { readMeasurementFile, readMeasurementFileStrict, appendMeasurement, appendMeasurements, writeMeasurementFile } from './calibrate/measurement-files.ts';
export { runKernelsRef, buildKernelsRef, krefBinary, KERNELS_REF_DIR } from './calibrate/kref-driver.ts';
export type { KrefBackend, RunOptions, RunSummary } from './calibrate/kref-driver.ts';
export { E2E_SOURCES, llmInferenceBenchReport, neusightE2eReport, tmacReport, type E2eSource } from './calibrate/accuracy/e2e-report.ts';
