// Prints docs/workloads.md (bench/workloads-doc.ts). Run: npx tsx bench/workloads.ts > docs/workloads.md
import { workloadsDocument } from './workloads-doc.ts';

process.stdout.write(workloadsDocument());
