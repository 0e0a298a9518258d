// world cyberkernel:program/program-v1@0.1.0
export type * as CyberkernelProgramHost010 from './interfaces/cyberkernel-program-host.js'; // import cyberkernel:program/host@0.1.0
/**
* Run once at instantiation with the instantiate message's input.
*/
export function cyberwasmInit(input: Uint8Array): Uint8Array;
/**
* Run after the code was swapped, with the old memory; an error keeps the old code.
*/
export function cyberwasmUpgrade(input: Uint8Array): Uint8Array;
/**
* Every call, send, scheduled run and reply.
*/
export function cyberwasmDispatch(input: Uint8Array): Uint8Array;
export type Result<T, E> = { tag: 'ok', val: T } | { tag: 'err', val: E };
