// Platform-neutral messages as Adaptive Cards: what each block becomes, answers keep their layout,
// and nothing grows beyond what one Teams message can carry.
import { describe, expect, it } from 'vitest';
import { renderTeamsMessage, renderTeamsReply, TEAMS_LIMITS, toCardMarkdown } from '../../../../../bot/adapters/teams/teams-cards.ts';
import type { ChatMessage } from '../../../../../bot/core/ports/chat-port.ts';

function texts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  return [...(record['type'] === 'TextBlock' ? [String(record['text'])] : []), ...texts(record['body']), ...texts(record['items'])];
}

describe('renderTeamsMessage', () => {
  it('makes an Adaptive Card 1.4 (universal actions need it), full width, with the fallback text as summary', () => {
    const { card, summary } = renderTeamsMessage({ fallbackText: 'Maintenance window #1: open\n(14:00 → 15:00)', blocks: [{ kind: 'header', text: 'Maintenance window #1: open' }] });
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', msteams: { width: 'Full' } });
    expect(card.actions).toBeUndefined();
    expect(summary).toBe('Maintenance window #1: open (14:00 → 15:00)');
  });

  it('keeps each line of a text its own block, drops empty context, and shortens an overlong header to one line', () => {
    const message: ChatMessage = {
      fallbackText: 'x',
      blocks: [
        { kind: 'header', text: `${'very '.repeat(60)}long\nheader` },
        { kind: 'text', text: 'first line\nsecond line' },
        { kind: 'context', text: '   ' },
      ],
    };
    const { card } = renderTeamsMessage(message);
    const [header, ...rest] = texts(card);
    expect(header?.length).toBe(TEAMS_LIMITS.headerText);
    expect(header?.endsWith('…')).toBe(true);
    expect(header).not.toContain('\n');
    expect(rest).toEqual(['first line', 'second line']);
    expect(card.body).toHaveLength(2);
  });

  it('turns *bold* into Adaptive Card bold and breaks link syntax up', () => {
    expect(toCardMarkdown('*Tue 14:00* and [x](https://evil.example) and 2 * 3 * 4')).toBe('**Tue 14:00** and [x] (https://evil.example) and 2 * 3 * 4');
  });

  it('cuts every overlong list separately and stays below the size limit', () => {
    const lines = (prefix: string) => Array.from({ length: 2000 }, (_, index) => `${prefix} node-${index}: done in 3m`);
    const { card } = renderTeamsMessage({ fallbackText: 'x', blocks: [{ kind: 'lines', lines: lines('a') }, { kind: 'lines', lines: lines('b') }] });
    expect(JSON.stringify(card).length).toBeLessThanOrEqual(TEAMS_LIMITS.cardChars);
    const notes = texts(card).filter((text) => text.startsWith('…and'));
    expect(notes).toHaveLength(2);
    expect(notes[1]).toBe('…and 2000 more lines not shown (too long for one Teams message)');
  });
});

describe('renderTeamsReply', () => {
  it('shows an aligned answer (help, status) in monospace and keeps its indentation', () => {
    const { card } = renderTeamsReply('patchwindow commands:\n  status     windows and nodes\n  open <d>   ask for a window');
    const blocks = (card.body[0] as { items: Record<string, unknown>[] }).items;
    expect(blocks.map((block) => block['fontType'])).toEqual(['Monospace', 'Monospace', 'Monospace']);
    expect(blocks[1]?.['text']).toBe('\u00a0\u00a0status     windows and nodes');
  });

  it('shows a plain answer as plain text blocks, one per line, with empty lines kept', () => {
    const { card, summary } = renderTeamsReply('You approved window #1.\n\nIt opens at 14:00.');
    expect(texts(card)).toEqual(['You approved window #1.', '\u00a0', 'It opens at 14:00.']);
    expect(summary).toBe('You approved window #1. It opens at 14:00.');
    expect(JSON.stringify(card)).not.toContain('Monospace');
  });
});
