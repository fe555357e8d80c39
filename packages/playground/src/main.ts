/**
 * The playground page: two views over the real @tapegrad packages (resolved through their `exports` maps,
 * as a user's bundler would), and a page-level alert for anything that escapes them.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { byId, catchUnhandled, describeError, showError } from './alert.js';
import { mountGraphView } from './graph/view.js';
import { mountTrainView } from './train/view.js';

const pageError = byId('page-error');
catchUnhandled(pageError);

const views = [
  { tab: byId('tab-graph'), panel: byId('view-graph') },
  { tab: byId('tab-train'), panel: byId('view-train') },
];

function select(index: number): void {
  views.forEach((v, i) => {
    v.tab.setAttribute('aria-selected', String(i === index));
    v.panel.hidden = i !== index;
  });
  window.location.hash = index === 0 ? 'graph' : 'train';
}

views.forEach((v, i) => v.tab.addEventListener('click', () => select(i)));

try {
  mountGraphView();
  mountTrainView();
  if (window.location.hash === '#train') select(1);
} catch (e) {
  showError(pageError, `The playground could not start: ${describeError(e)}`);
}
