// Stands in for the Node built-ins workerpool's universal bundle names (worker_threads, os, child_process);
// in a browser it takes its Web Worker path and never calls them.
export default {};
