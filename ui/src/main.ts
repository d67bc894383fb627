import { mount } from 'svelte';
import App from './App.svelte';
import { askEarly } from './lib/early';
import './app.css';

// The page's clock when its own code first runs (it has been loaded and parsed by then): sent with
// the first render, so the log tells loading the page from the page's own work.
const scriptRan = performance.now();
askEarly();
const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
export default mount(App, { target, props: { scriptRan } });
