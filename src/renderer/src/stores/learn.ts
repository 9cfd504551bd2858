import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LearnProposal } from '../../../shared/api';
import { usePanelApi } from '../api/inject';
import { learnRows, rowId, selectedItems } from '../logic/learn-review';
import { useShowStore } from './show';

/** Trim proposals from a rehearsal run, and which of them the user ticked. */
export const useLearnStore = defineStore('learn', () => {
  const api = usePanelApi();
  const showStore = useShowStore();
  const proposals = ref<LearnProposal[]>([]);
  const selected = ref<Set<string>>(new Set());

  const rows = computed(() => learnRows(proposals.value, showStore.songs));

  function setProposals(next: LearnProposal[]): void {
    proposals.value = next;
    const ids = new Set(next.map(rowId));
    selected.value = new Set([...selected.value].filter((id) => ids.has(id)));
  }

  async function load(): Promise<void> {
    setProposals(await api.request('learn:get', {}));
  }

  function toggle(id: string): void {
    const next = new Set(selected.value);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selected.value = next;
  }

  /** Every proposal (no items), or the given ones. */
  function apply(items?: { songKey: string; slot: string }[]): Promise<boolean> {
    return showStore.runEdit(
      items ? `Learned trims for ${items.length} song${items.length === 1 ? '' : 's'}` : 'Learned trims',
      (current) => current,
      (baseRevision) => api.request('learn:apply', items ? { baseRevision, items } : { baseRevision }),
    );
  }

  async function applySelected(): Promise<boolean> {
    const items = selectedItems(rows.value, selected.value);
    if (items.length === 0) return false;
    const ok = await apply(items);
    if (ok) selected.value = new Set();
    return ok;
  }

  return { proposals, selected, rows, setProposals, load, toggle, apply, applySelected };
});
