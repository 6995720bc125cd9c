// Block Kit rendering within Slack's limits: 50 blocks, 3,000 characters per section, about
// 12,000 characters in all; long lists split into sections, the rest summarised.
import { describe, expect, it } from 'vitest';
import { renderReply, renderSlackMessage, SLACK_LIMITS } from '../../../../../bot/adapters/slack/slack-blocks.ts';
import type { ChatMessage } from '../../../../../bot/core/ports/chat-port.ts';

type Block = { type: string; text?: { text: string }; elements?: { type: string; text?: unknown }[] };

function sectionTexts(blocks: readonly unknown[]): string[] {
  return (blocks as Block[]).filter((block) => block.type === 'section').map((block) => block.text?.text ?? '');
}

function totalText(blocks: readonly unknown[]): number {
  return JSON.stringify(blocks).length;
}

function nodeLines(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `🔄 node-${String(index).padStart(4, '0')}: draining, 3 pods left`);
}

const CARD_WITH = (lines: string[]): ChatMessage => ({
  fallbackText: 'Maintenance window #7: open',
  blocks: [
    { kind: 'header', text: '🔧 Maintenance window #7: open' },
    { kind: 'text', text: '*Tue 2026-11-24 14:00 → 17:00 UTC*' },
    { kind: 'lines', lines },
    { kind: 'context', text: `0/${lines.length} done · elapsed 5m 00s` },
    { kind: 'actions', actions: [{ action: 'approve', label: 'Approve', style: 'primary', value: '7' }] },
  ],
});

describe('renderSlackMessage limits', () => {
  it('puts a short node list in one section', () => {
    const { blocks } = renderSlackMessage(CARD_WITH(nodeLines(3)));
    expect(blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
  });

  it('splits a long node list into sections of at most 3,000 characters, never inside a line', () => {
    const lines = nodeLines(150);
    const { blocks } = renderSlackMessage(CARD_WITH(lines));
    const sections = sectionTexts(blocks).slice(1);
    expect(sections.length).toBeGreaterThan(1);
    for (const text of sections) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(sections.join('\n').split('\n')).toEqual(lines);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
  });

  it('caps a huge list at 50 blocks and ~12,000 characters, keeps header, progress and buttons, and says how many lines are left out', () => {
    const lines = nodeLines(5000);
    const { blocks, text } = renderSlackMessage(CARD_WITH(lines));
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
    const sectionChars = sectionTexts(blocks).reduce((sum, section) => sum + section.length, 0);
    expect(sectionChars).toBeLessThanOrEqual(SLACK_LIMITS.totalText);
    expect(blocks[0]?.type).toBe('header');
    expect(blocks.at(-1)?.type).toBe('actions');
    const shown = sectionTexts(blocks).slice(1).join('\n').split('\n').length;
    const note = JSON.stringify(blocks.find((block) => block.type === 'context' && JSON.stringify(block).includes('more lines')));
    expect(note).toContain(`…and ${5000 - shown} more lines not shown`);
    expect(JSON.stringify(blocks)).toContain('0/5000 done');
    expect(text).toBe('Maintenance window #7: open');
    expect(totalText(blocks)).toBeLessThan(40_000);
  });

  it('cuts one enormous line across sections without breaking an escaped entity', () => {
    const line = `${'&'.repeat(2999)}${'x'.repeat(4000)}`;
    const { blocks } = renderSlackMessage({ fallbackText: 'x', blocks: [{ kind: 'text', text: line }] });
    const sections = sectionTexts(blocks);
    for (const text of sections) {
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(text.replaceAll('&amp;', '')).not.toContain('&');
    }
    expect(sections.join('')).toBe(line.replaceAll('&', '&amp;').slice(0, sections.join('').length));
  });

  it('shortens the header, button labels and the fallback text to Slack maxima and drops empty texts', () => {
    const { blocks, text } = renderSlackMessage({
      fallbackText: 'f'.repeat(5000),
      blocks: [
        { kind: 'header', text: 'h'.repeat(400) },
        { kind: 'text', text: '' },
        { kind: 'context', text: '  ' },
        { kind: 'actions', actions: Array.from({ length: 30 }, (_, index) => ({ action: `a${index}`, label: 'l'.repeat(100), style: 'default' as const, value: 'v'.repeat(3000) })) },
      ],
    });
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(blocks.map((block) => block.type)).toEqual(['header', 'actions', 'actions']);
    const header = blocks[0] as unknown as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    const buttons = blocks.slice(1).flatMap((block) => (block as unknown as { elements: { text: { text: string }; value: string; style?: string }[] }).elements);
    expect(buttons).toHaveLength(30);
    for (const button of buttons) {
      expect(button.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
      expect(button.value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
      expect(button.style).toBeUndefined();
    }
  });
});

describe('renderReply', () => {
  it('keeps indented help text in a code block', () => {
    const { blocks } = renderReply('patchwindow commands:\n  status\n      what is going on');
    expect(sectionTexts(blocks)).toEqual(['```patchwindow commands:\n  status\n      what is going on```']);
  });

  it('leaves plain answers as mrkdwn', () => {
    expect(sectionTexts(renderReply('refused: *you* requested window #3').blocks)).toEqual(['refused: *you* requested window #3']);
  });
});
