// A button that saves a table as a CSV file (built in the page: nothing is sent anywhere).
import { toCsv, type Cell } from '../format/csv.ts';

export function DownloadCsv({ name, header, rows, label = 'Download CSV' }: { name: string; header: string[]; rows: Cell[][]; label?: string }) {
  const save = (): void => {
    const url = URL.createObjectURL(new Blob([toCsv(header, rows)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return <button type="button" className="download" data-csv={name} disabled={rows.length === 0} onClick={save}>{label}</button>;
}
