/** A bar chart drawn as plain SVG: one column per item, its values stacked, its total written under it. */
export function Bars({
  items,
  label,
  slot = 32,
  format = String,
}: {
  items: Array<{ name: string; values: Array<{ value: number; className: string }> }>;
  label: string;
  /** Width of one bar's column: wide enough for its label. */
  slot?: number;
  /** How a bar's total is written under it (an amount of money, say). */
  format?: (value: number) => string;
}) {
  const max = Math.max(1, ...items.map((item) => item.values.reduce((sum, value) => sum + value.value, 0)));
  const width = slot;
  const height = 120;
  return (
    <svg
      class="chart"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${items.length * width} ${height + 34}`}
      width={items.length * width * 1.6}
      height={(height + 34) * 1.6}
    >
      {items.map((item, index) => {
        let y = height;
        return (
          <g key={item.name} transform={`translate(${index * width}, 0)`}>
            {item.values.map((value) => {
              const barHeight = (value.value / max) * height;
              y -= barHeight;
              return (
                <rect
                  key={value.className}
                  class={value.className}
                  x={(width - 24) / 2}
                  y={y}
                  width={24}
                  height={barHeight}
                >
                  <title>{`${item.name}: ${format(value.value)}`}</title>
                </rect>
              );
            })}
            <text x={width / 2} y={height + 14} text-anchor="middle" class="chart-label">
              {item.name}
            </text>
            <text x={width / 2} y={height + 28} text-anchor="middle" class="chart-value">
              {format(item.values.reduce((sum, value) => sum + value.value, 0))}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
