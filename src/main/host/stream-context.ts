/** What a stream handler gets from its session: cancellation, an event sink, and the renderer's input. */
export interface StreamContext<E> {
  signal: AbortSignal;
  emit(event: E): void;
  onInput(listener: (data: string) => void): void;
}
