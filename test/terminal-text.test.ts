/** The CLI's terminal sanitizer over hostile strings a model or tool could return. */
import { describe, expect, it } from 'vitest';
import { forTerminal, isTerminal, stripTerminalControls } from '../client/cli/terminal-text';

const ESC = '\x1b';
const BEL = '\x07';

describe('stripTerminalControls', () => {
  it('removes OSC sequences: clipboard writes, window titles and hyperlinks, however they end', () => {
    expect(stripTerminalControls(`a${ESC}]52;c;cm0gLXJmIH4=${BEL}b`)).toBe('ab');
    expect(stripTerminalControls(`a${ESC}]0;pwned title${ESC}\\b`)).toBe('ab');
    expect(stripTerminalControls(`${ESC}]8;;https://evil.test${BEL}click${ESC}]8;;${BEL}`)).toBe('click');
    expect(stripTerminalControls(`a\x9d52;c;eA==\x9cb`)).toBe('ab'); // 8-bit OSC … ST
    expect(stripTerminalControls(`a${ESC}]52;c;never terminated`)).toBe('a');
  });

  it('removes CSI sequences: cursor moves, erases, colours, and their 8-bit form', () => {
    expect(stripTerminalControls(`ok${ESC}[2K${ESC}[1G${ESC}[1A${ESC}[31mred${ESC}[0m${ESC}[?1049h`)).toBe('okred');
    expect(stripTerminalControls(`x\x9b2Jy`)).toBe('xy');
    expect(stripTerminalControls(`x${ESC}Pdcs payload${ESC}\\y${ESC}_apc${BEL}z${ESC}c${ESC}7w`)).toBe('xyzw');
  });

  it('removes the bell, backspaces and lone carriage returns, keeps newlines, tabs and CRLF as a newline', () => {
    expect(stripTerminalControls(`ding${BEL}${BEL}`)).toBe('ding');
    expect(stripTerminalControls('rm -rf ~\rls -la')).toBe('rm -rf ~ls -la'); // nothing is overwritten
    expect(stripTerminalControls('safe\b\b\b\bEVIL')).toBe('safeEVIL');
    expect(stripTerminalControls('line 1\r\nline 2\n\tindented')).toBe('line 1\nline 2\n\tindented');
    expect(stripTerminalControls('nul\0 del\x7f c1\x85\x8d')).toBe('nul del c1');
  });

  it('leaves ordinary text, Unicode and emoji alone', () => {
    const text = 'Résumé: 5 × 3 = 15 — “quoted” ✓ 🚀 日本語 [brackets] ~tilde~';
    expect(stripTerminalControls(text)).toBe(text);
  });
});

describe('forTerminal', () => {
  const hostile = `answer${ESC}]52;c;eA==${BEL}`;

  it('strips on a terminal and keeps the exact text elsewhere, with BATON_TTY to force either', () => {
    const saved = process.env.BATON_TTY;
    try {
      delete process.env.BATON_TTY;
      expect(forTerminal(hostile, { isTTY: true })).toBe('answer');
      expect(forTerminal(hostile, { isTTY: false })).toBe(hostile);
      expect(forTerminal(hostile, {})).toBe(hostile);
      process.env.BATON_TTY = '1';
      expect(forTerminal(hostile, { isTTY: false })).toBe('answer');
      process.env.BATON_TTY = '0';
      expect(forTerminal(hostile, { isTTY: true })).toBe(hostile);
    } finally {
      if (saved === undefined) delete process.env.BATON_TTY;
      else process.env.BATON_TTY = saved;
    }
    expect(isTerminal({ isTTY: true }, {})).toBe(true);
    expect(isTerminal({ isTTY: true }, { BATON_TTY: '0' })).toBe(false);
  });
});
