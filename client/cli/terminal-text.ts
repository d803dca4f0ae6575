/**
 * Text from models, tools and servers is untrusted: printed raw to a terminal, escape
 * sequences in it can rewrite the clipboard (OSC 52), move the cursor to overwrite what
 * was printed, retitle the window or ring the bell. The CLI passes such text through
 * {@link forTerminal} before printing it; `--json` output is never changed.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const sequences = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|[\x1b][\]PX^_][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|[\x90\x98\x9d\x9e\x9f][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|\x1b[ -/]*[0-~]?/g;
// eslint-disable-next-line no-control-regex -- C0 except tab and newline, DEL, and C1
const controls = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * `text` without terminal control sequences (CSI, OSC, DCS/SOS/PM/APC strings, other
 * escapes) and without any other C0/C1 control character except newline and tab. A CRLF
 * becomes a newline; a lone carriage return (which would let later text overwrite a line)
 * is dropped.
 */
export function stripTerminalControls(text: string): string {
  return text.replace(sequences, '').replace(/\r\n/g, '\n').replace(controls, '');
}

/**
 * True when `stream` is a terminal. `BATON_TTY=1` forces terminal handling (so tests and
 * pipes into a pager can ask for it), `BATON_TTY=0` turns it off.
 */
export function isTerminal(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.BATON_TTY === '1') return true;
  if (env.BATON_TTY === '0') return false;
  return stream.isTTY === true;
}

/** `text` made safe to print on `stream`: stripped when it is a terminal, unchanged otherwise. */
export function forTerminal(text: string, stream: { isTTY?: boolean } = process.stdout): string {
  return isTerminal(stream) ? stripTerminalControls(text) : text;
}
