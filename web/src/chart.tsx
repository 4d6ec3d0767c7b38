// Chart.js on a canvas, rebuilt when its data changes. Only the parts of
// Chart.js used here are registered, so the bundle carries no more.
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale,
  LineController, LineElement, PointElement, Tooltip, type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { language, locale } from './i18n';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale,
               LineController, LineElement, PointElement, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || 'system-ui, sans-serif';
Chart.defaults.animation = false;

export const palette = ['#1f5fa8', '#c2571a', '#2e8540', '#7b4fa0', '#b8860b', '#0f7c86', '#a23b72', '#5b6770'];

export function ChartView({ config, label, height }: { config: ChartConfiguration; label: string; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      ...config,
      // Numbers on the axes and in tooltips as the rest of the page writes them.
      options: { responsive: true, maintainAspectRatio: false, locale: locale(), ...config.options },
    });
    return () => chart.destroy();
  }, [JSON.stringify(config.data), config.type, language()]);
  return (
    <div class="chart" style={{ height: `${height ?? 260}px` }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
