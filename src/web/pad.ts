import { type GrayImage, grayFromRgba, mnistStyle } from '../data/mnist-style.js';

/**
 * The drawing pad: a white canvas drawn on in black with a round pen, by pointer events (mouse, pen and
 * touch alike) or the keyboard (arrow keys move the pen, Space lifts or lowers it). What the network is
 * given is the canvas's pixels through `scratchnet predict`'s own preprocessing: grayFromRgba (what a
 * PNG of the canvas decodes to) and mnistStyle (invert, crop, scale into 20×20, centre by mass in 28×28).
 */

/** Pen width in canvas pixels: about 2 of MNIST's pixels once the drawing is scaled into its 20×20 box. */
export const PEN_WIDTH = 22;
/** Canvas pixels the pen moves per arrow key. */
const KEY_STEP = 10;

/** A canvas to draw on that reports every change. */
export class Pad {
  private readonly context: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  private keyboardPen = { x: 140, y: 140, down: false };
  /** Whether anything has been drawn since the last clear. */
  inked = false;

  /** @param onChange - called after every stroke segment, with the pointer event's time stamp (or null). */
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: (eventTime: number | null) => void,
  ) {
    this.context = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      this.last = this.position(event);
      this.segment(this.last, this.last);
      this.onChange(event.timeStamp);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (this.last === null) return;
      const to = this.position(event);
      this.segment(this.last, to);
      this.last = to;
      this.onChange(event.timeStamp);
    });
    const lift = (): void => {
      this.last = null;
    };
    canvas.addEventListener('pointerup', lift);
    canvas.addEventListener('pointercancel', lift);
    canvas.addEventListener('keydown', (event) => this.key(event));
  }

  /** White paper again. */
  clear(): void {
    this.context.fillStyle = 'white';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  /** The canvas as a grayscale picture, exactly as `scratchnet predict` decodes a PNG of it. */
  gray(): GrayImage {
    const { width, height } = this.canvas;
    return grayFromRgba(this.context.getImageData(0, 0, width, height).data, width, height);
  }

  /** The 784 values the network is given (mnistStyle), or null while the canvas is blank. */
  preprocessed(): Float32Array | null {
    if (!this.inked) return null;
    return mnistStyle(this.gray(), 'the drawing');
  }

  /** Paints a 28×28 image (values in [0, 1], 1 = ink) large, as dark ink on white, so it can be seen and drawn over. */
  show(image: ArrayLike<number>): void {
    const { width, height } = this.canvas;
    this.clear();
    const cell = width / 28;
    for (let i = 0; i < 784; i++) {
      const level = Math.round(255 * (1 - image[i]));
      if (level === 255) continue;
      this.context.fillStyle = `rgb(${level},${level},${level})`;
      this.context.fillRect((i % 28) * cell, Math.floor(i / 28) * cell, cell, height / 28);
    }
    this.inked = true;
    this.onChange(null);
  }

  private position(event: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * this.canvas.width) / box.width,
      y: ((event.clientY - box.top) * this.canvas.height) / box.height,
    };
  }

  private segment(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const c = this.context;
    c.strokeStyle = 'black';
    c.lineWidth = PEN_WIDTH;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    this.inked = true;
  }

  private key(event: KeyboardEvent): void {
    const pen = this.keyboardPen;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    if (event.key === ' ') {
      pen.down = !pen.down;
      if (pen.down) this.segment(pen, pen);
    } else if (moves[event.key]) {
      const [dx, dy] = moves[event.key];
      const to = {
        x: Math.min(this.canvas.width, Math.max(0, pen.x + dx * KEY_STEP)),
        y: Math.min(this.canvas.height, Math.max(0, pen.y + dy * KEY_STEP)),
      };
      if (pen.down) this.segment(pen, to);
      pen.x = to.x;
      pen.y = to.y;
    } else {
      return;
    }
    event.preventDefault();
    this.onChange(event.timeStamp);
  }
}
