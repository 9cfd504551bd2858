import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { PANEL_API } from './api/inject';
import { pickApi } from './api/pick-api';
import './styles.css';

const api = pickApi(window.liveblend, window.location);
createApp(App).provide(PANEL_API, api).use(createPinia()).mount('#app');
