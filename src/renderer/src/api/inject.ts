import { inject, type InjectionKey } from 'vue';
import type { PanelApi } from '../../../shared/api';

export const PANEL_API: InjectionKey<PanelApi> = Symbol('PanelApi');

/** The app's one PanelApi, provided by main.ts (or by a test). */
export function usePanelApi(): PanelApi {
  const api = inject(PANEL_API, null);
  if (!api) throw new Error('no PanelApi provided: main.ts must app.provide(PANEL_API, api) before using the stores');
  return api;
}
