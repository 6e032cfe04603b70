/**
 * The preload: exposes exactly the contract's Transport on `window.strata` through contextBridge
 * (the renderer is sandboxed, with no Node and no ipcRenderer of its own).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { Channels, type Envelope, type PushMessage, type Transport } from '../shared/contract.ts';

const transport: Transport = {
  host: 'electron',
  invoke: (name, params) => ipcRenderer.invoke(Channels.invoke, name, params) as Promise<Envelope<unknown>>,
  streamOpen: (id, name, params) => ipcRenderer.invoke(Channels.stream, id, name, params) as Promise<Envelope<unknown>>,
  streamCancel: (id) => ipcRenderer.send(Channels.cancel, id),
  streamInput: (id, data) => ipcRenderer.send(Channels.input, id, data),
  onPush(listener) {
    const wrapped = (_e: IpcRendererEvent, msg: PushMessage): void => listener(msg);
    ipcRenderer.on(Channels.push, wrapped);
    return () => ipcRenderer.off(Channels.push, wrapped);
  },
};

contextBridge.exposeInMainWorld('strata', transport);
