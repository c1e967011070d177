// node's Socket/Server are functions that also work without `new`
// (`net.Socket()`); ES classes cannot be called. The exported value is a plain
// function of the same name that constructs the class (net.ts writes it, so
// stack traces read "Socket.emit"): here it is made to share the class's
// prototype (so `instanceof`, subclassing and `socket.constructor` work) and
// to inherit the class's statics.

export type Callable<C extends abstract new (...args: any) => any> =
  C & ((...args: ConstructorParameters<C>) => InstanceType<C>);

/** `ctor` must be `function Name(...args) { return Reflect.construct(cls, args, new.target ?? Name); }`. */
export function callableClass<C extends new (...args: any) => any>(
  cls: C, ctor: (...args: any[]) => unknown,
): Callable<C> {
  Object.defineProperty(ctor, 'prototype', { value: cls.prototype, writable: false });
  Object.defineProperty(cls.prototype, 'constructor', {
    value: ctor, writable: true, configurable: true, enumerable: false,
  });
  Object.setPrototypeOf(ctor, Object.getPrototypeOf(cls));
  Object.defineProperty(ctor, 'length', { value: cls.length });
  return ctor as unknown as Callable<C>;
}
