declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** Present when the panel runs inside the Electron shell (see src/preload). */
  liveblend?: import('../../shared/api').LiveblendBridge;
}

/** Stylesheets are bundled by Vite for their side effect only. */
declare module '*.css';
