import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  input,
  viewChild,
  type OnDestroy,
} from '@angular/core';
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

// Only what a bar chart needs, so the rest of Chart.js stays out of the reports chunk.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/**
 * A bar chart with its numbers as text too: the canvas is an image named by its label and
 * values, and a table under "Show the numbers" holds the same figures for screen readers and
 * anyone who would rather read them.
 */
@Component({
  selector: 'app-bar-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure>
      <figcaption [id]="captionId">{{ title() }}</figcaption>
      <div class="canvas-box">
        <canvas
          #canvas
          role="img"
          [attr.aria-label]="summary()"
          [attr.data-chart]="name()"
        ></canvas>
      </div>
      <details>
        <summary>Show the numbers</summary>
        <table [attr.aria-labelledby]="captionId">
          <thead>
            <tr>
              <th scope="col">{{ category() }}</th>
              <th scope="col">{{ unit() }}</th>
            </tr>
          </thead>
          <tbody>
            @for (label of labels(); track $index) {
              <tr>
                <th scope="row">{{ label }}</th>
                <td>{{ values()[$index] }}</td>
              </tr>
            }
          </tbody>
        </table>
      </details>
    </figure>
  `,
  styles: `
    figure {
      margin: 0;
    }
    figcaption {
      font-weight: 600;
      margin-bottom: 8px;
    }
    .canvas-box {
      position: relative;
      height: 200px;
    }
    details {
      margin-top: 6px;
      font-size: 13px;
    }
    table {
      border-collapse: collapse;
      margin-top: 4px;
    }
    th,
    td {
      padding: 2px 10px 2px 0;
      text-align: left;
    }
  `,
})
export class BarChartComponent implements OnDestroy {
  private static next = 0;
  readonly name = input.required<string>();
  readonly title = input.required<string>();
  readonly category = input.required<string>();
  readonly unit = input.required<string>();
  readonly labels = input.required<string[]>();
  readonly values = input.required<number[]>();
  protected readonly captionId = `chart-caption-${BarChartComponent.next++}`;
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private chart: Chart<'bar'> | null = null;

  constructor() {
    afterRenderEffect(() => {
      const labels = this.labels();
      const values = this.values();
      if (this.chart) {
        this.chart.data.labels = labels;
        this.chart.data.datasets[0].data = values;
        this.chart.update();
        return;
      }
      this.chart = new Chart(this.canvas().nativeElement, {
        type: 'bar',
        data: {
          labels,
          datasets: [{ label: this.unit(), data: values, backgroundColor: '#2f6fed' }],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
    });
  }

  protected summary(): string {
    const values = this.values();
    return `${this.title()}: ${this.labels()
      .map((label, i) => `${label} ${values[i]}`)
      .join(', ')}`;
  }

  ngOnDestroy(): void {
    this.chart?.destroy();
  }
}
