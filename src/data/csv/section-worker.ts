import { parentPort, workerData } from 'node:worker_threads';
import { ScratchnetError } from '../../errors.js';
import { parseByteRange } from './chunks.js';
import { RowParser } from './parser.js';
import type { SectionResult, SectionStart, SectionTask } from './sections.js';

/**
 * Worker thread of data/csv/sections.ts: parses bytes [start, end) of a CSV file into the shared storage it is
 * sent once the calling thread has counted the lines before them, then reports how many rows it stored
 * (or the error, as text: the calling thread turns it back into a ScratchnetError).
 */
const task = workerData as SectionTask;
const port = parentPort!;

port.once('message', (start: SectionStart) => {
  void parseSection(start).then((result) => port.postMessage(result));
});

async function parseSection(start: SectionStart): Promise<SectionResult> {
  try {
    const { firstLine, ...shared } = start;
    const parser = new RowParser(task.path, task.layout, { ...task.store, shared }, firstLine);
    await parseByteRange(task.path, task.start, task.end, parser);
    return { rows: parser.store.rows - shared.firstRow, largestLabel: parser.store.largestLabel };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), scratchnet: error instanceof ScratchnetError };
  }
}
