// Entry point of the browser client (built by Vite into web/dist, served by the server at `/`).
import { render } from 'preact';
import './styles.css';
import { App } from './ui/App';
import { initTheme } from './ui/theme';

initTheme();
const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
