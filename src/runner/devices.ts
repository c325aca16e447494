/**
 * The device pool: `devices: [0, 1, 2, 3]` handed out round-robin through
 * CUDA_VISIBLE_DEVICES, at most `runsPerDevice` runs on a device at a time.
 */
export class DevicePool {
  private readonly load: Map<number, number>;
  private next = 0;

  constructor(
    private readonly devices: readonly number[],
    private readonly runsPerDevice: number,
  ) {
    this.load = new Map(devices.map((d) => [d, 0]));
  }

  /** How many runs the pool can hold at once. */
  get capacity(): number {
    return this.devices.length * this.runsPerDevice;
  }

  /** The next device with room, in round-robin order from the last one handed out; undefined when all are full. */
  acquire(): number | undefined {
    for (let k = 0; k < this.devices.length; k++) {
      const i = (this.next + k) % this.devices.length;
      const device = this.devices[i];
      if ((this.load.get(device) ?? 0) < this.runsPerDevice) {
        this.load.set(device, (this.load.get(device) ?? 0) + 1);
        this.next = (i + 1) % this.devices.length;
        return device;
      }
    }
    return undefined;
  }

  release(device: number): void {
    this.load.set(device, Math.max(0, (this.load.get(device) ?? 0) - 1));
  }
}
