/**
 * A log of `lines` lines of our own making: repeated INFO templates with varying numbers, and a
 * few ERROR lines, enough for the log compressor to fold repeats and keep the errors.
 *
 * @example
 * writeFileSync('app.log', syntheticLog(600));
 */
export function syntheticLog(lines: number): string {
  return Array.from({ length: lines }, (_, index) => {
    const time = `2026-12-02 10:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}`;
    if (index % 150 === 77) return `${time} ERROR worker ${index % 7} failed job ${1000 + index}: connection refused`;
    return `${time} INFO worker ${index % 7} finished job ${1000 + index} in ${(index * 37) % 500} ms`;
  }).join('\n') + '\n';
}
