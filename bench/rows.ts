export interface Row {
  metric: string;
  value: string;
  goal: string;
  met?: boolean;
}

export function table(rows: readonly Row[]): string {
  return [
    '| Metric | Result | Goal |',
    '|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.metric} | ${row.value} | ${row.goal}${row.met === undefined ? '' : row.met ? ' ✅' : ' ❌'} |`,
    ),
  ].join('\n');
}
