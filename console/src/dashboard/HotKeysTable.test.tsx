import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatRate, HotKeyTable, nodeCaption, samplingText } from './HotKeysTable';

// React's act() warns unless the environment says it is a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('hot key cells', () => {
  it('shows rates to the precision the estimate has', () => {
    expect(formatRate(1234.4)).toBe('1,234');
    expect(formatRate(100)).toBe('100');
    expect(formatRate(12.34)).toBe('12.3');
    expect(formatRate(0.254)).toBe('0.25');
  });

  it('names each node\'s table, marking the one that answered', () => {
    expect(nodeCaption('console-a', true)).toBe('Hot keys on node console-a (this node)');
    expect(nodeCaption('console-b', false)).toBe('Hot keys on node console-b');
  });

  it('says how reads are sampled', () => {
    expect(samplingText(64)).toBe('one read in 64');
    expect(samplingText(1)).toBe('every read');
    expect(samplingText(0)).toMatch(/sampling is off/);
  });
});

describe('HotKeyTable', () => {
  let host: HTMLDivElement;
  let root: Root;

  beforeEach(() => {
    host = document.createElement('div');
    document.body.append(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  const cells = (row: Element) => Array.from(row.querySelectorAll('th, td')).map((c) => c.textContent);

  it('is a captioned table with a row header per key, hottest first as given', () => {
    act(() => root.render(
      <HotKeyTable
        caption="Hot keys, all nodes"
        rows={[{ key: 'tenant:7:user:1', readsPerSecond: 2500.2, nodes: 2 }, { key: 'tenant:7:roles', readsPerSecond: 3.25, nodes: 1 }]}
        withNodes
      />,
    ));
    const table = host.querySelector('table')!;
    expect(table.querySelector('caption')?.textContent).toBe('Hot keys, all nodes');
    expect(Array.from(table.querySelectorAll('thead th')).map((th) => [th.textContent, th.getAttribute('scope')]))
      .toEqual([['Key', 'col'], ['Reads per second', 'col'], ['Nodes', 'col']]);
    const rows = Array.from(table.querySelectorAll('tbody tr'));
    expect(rows.map(cells)).toEqual([['tenant:7:user:1', '2,500', '2'], ['tenant:7:roles', '3.3', '1']]);
    expect(rows[0]!.querySelector('th')?.getAttribute('scope')).toBe('row');
  });

  it('has no nodes column per node, and says so when no key is hot', () => {
    act(() => root.render(<HotKeyTable caption={nodeCaption('b', false)} rows={[]} />));
    const table = host.querySelector('table')!;
    expect(Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent)).toEqual(['Key', 'Reads per second']);
    const only = table.querySelector('tbody td')!;
    expect(only.textContent).toBe('No key is read often enough yet.');
    expect(only.getAttribute('colspan')).toBe('2');
  });
});
