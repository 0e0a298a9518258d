// world cyberkernel:process/process-v1@0.1.0
export type * as CyberkernelProcessStandard010 from './interfaces/cyberkernel-process-standard.js'; // import cyberkernel:process/standard@0.1.0
export function init(our: string): void;
