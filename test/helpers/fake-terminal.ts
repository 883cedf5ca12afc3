import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';

/** A terminal stand-in: what ink needs of a TTY stream (80 × 50), every write kept. */
export class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 80;
  readonly rows = 50;
  readonly chunks: string[] = [];
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  text(): string {
    return stripVTControlCharacters(this.chunks.join(''));
  }
}
