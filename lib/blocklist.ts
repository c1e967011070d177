// net.BlockList and net.SocketAddress are node's own classes (read from
// node:net on first use). Where the running node lacks a later addition,
// a subclass of node's class adds it, so the same API is there on every
// supported node: BlockList.isBlockList (22.13), BlockList#toJSON /
// BlockList#fromJSON (22.19), SocketAddress.parse (22.13). Instances stay
// node's (node's own code accepts them, `instanceof` node's class holds).
//
// isBlockList answers as node's does (`value?.[kHandle] !== undefined`, with
// node's private kHandle symbol), so node's own BlockList instances, and only
// objects that carry node's handle, are accepted as `blockList` options.
import type * as nodeNet from 'net';
import { codes } from './errors';
import { validateString } from './validate';

const { ERR_INVALID_ARG_TYPE } = codes;

type BlockListClass = typeof nodeNet.BlockList & { isBlockList?(value: unknown): boolean };
type SocketAddressClass = typeof nodeNet.SocketAddress & { parse?(input: string): nodeNet.SocketAddress | undefined };

let blockListClass: BlockListClass | undefined;
let socketAddressClass: SocketAddressClass | undefined;
let handleSymbol: symbol | undefined;

function nodeNetModule(): typeof nodeNet {
  return require('net') as typeof nodeNet;
}

/** node's test: the object carries node's BlockList handle. */
export function isBlockList(value: unknown): boolean {
  const NodeBlockList = nodeNetModule().BlockList as BlockListClass;
  if (typeof NodeBlockList.isBlockList === 'function') return NodeBlockList.isBlockList(value);
  if (handleSymbol === undefined) {
    const symbols = Object.getOwnPropertySymbols(new NodeBlockList());
    handleSymbol = symbols.find((s) => s.description === 'kHandle') ?? symbols[0];
  }
  return (value as any)?.[handleSymbol!] !== undefined;
}

/** BlockList#fromJSON's parser (node 22.19's #parseIPInfo): the lines `rules` gives. */
function addRules(list: nodeNet.BlockList, data: string[]): void {
  for (const item of data) {
    if (item.includes('IPv4')) {
      const subnet = item.match(/Subnet: IPv4 (\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})/);
      if (subnet) {
        list.addSubnet(subnet[1], Number.parseInt(subnet[2]));
        continue;
      }
      const address = item.match(/Address: IPv4 (\d{1,3}(?:\.\d{1,3}){3})/);
      if (address) {
        list.addAddress(address[1]);
        continue;
      }
      const range = item.match(/Range: IPv4 (\d{1,3}(?:\.\d{1,3}){3})-(\d{1,3}(?:\.\d{1,3}){3})/);
      if (range) {
        list.addRange(range[1], range[2]);
        continue;
      }
    }
    if (item.includes('IPv6')) {
      const subnet = item.match(/Subnet: IPv6 ([0-9a-fA-F:]{1,39})\/([0-9]{1,3})/i);
      if (subnet) {
        list.addSubnet(subnet[1], Number.parseInt(subnet[2]), 'ipv6');
        continue;
      }
      const address = item.match(/Address: IPv6 ([0-9a-fA-F:]{1,39})/i);
      if (address) {
        list.addAddress(address[1], 'ipv6');
        continue;
      }
      const range = item.match(/Range: IPv6 ([0-9a-fA-F:]{1,39})-([0-9a-fA-F:]{1,39})/i);
      if (range) {
        list.addRange(range[1], range[2], 'ipv6');
        continue;
      }
    }
  }
}

function fromJSON(this: nodeNet.BlockList, data: unknown): void {
  const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((n) => typeof n === 'string');
  if (Array.isArray(data)) {
    if (!strings(data)) throw new ERR_INVALID_ARG_TYPE('data', ['string', 'string[]'], data);
  } else if (typeof data !== 'string') {
    throw new ERR_INVALID_ARG_TYPE('data', ['string', 'string[]'], data);
  } else {
    data = JSON.parse(data);
    if (!strings(data)) throw new ERR_INVALID_ARG_TYPE('data', ['string', 'string[]'], data);
  }
  addRules(this, data as string[]);
}

/** net.BlockList: node's class, or a subclass adding what this node lacks. */
export function BlockListExport(): BlockListClass {
  if (blockListClass !== undefined) return blockListClass;
  const NodeBlockList = nodeNetModule().BlockList as BlockListClass;
  const proto = NodeBlockList.prototype as any;
  if (typeof NodeBlockList.isBlockList === 'function' && typeof proto.toJSON === 'function') {
    return (blockListClass = NodeBlockList);
  }
  class BlockList extends NodeBlockList {
    static override isBlockList(value: unknown): boolean {
      return isBlockList(value);
    }
  }
  if (typeof proto.toJSON !== 'function') {
    Object.defineProperties(BlockList.prototype, {
      toJSON: { value: function toJSON(this: nodeNet.BlockList) { return this.rules; }, writable: true, configurable: true },
      fromJSON: { value: fromJSON, writable: true, configurable: true },
    });
  }
  if (typeof NodeBlockList.isBlockList === 'function') {
    Object.defineProperty(BlockList, 'isBlockList', { value: NodeBlockList.isBlockList, writable: true, configurable: true });
  }
  return (blockListClass = BlockList as BlockListClass);
}

/** net.SocketAddress: node's class, or a subclass adding parse() where this node lacks it. */
export function SocketAddressExport(): SocketAddressClass {
  if (socketAddressClass !== undefined) return socketAddressClass;
  const NodeSocketAddress = nodeNetModule().SocketAddress as SocketAddressClass;
  if (typeof NodeSocketAddress.parse === 'function') return (socketAddressClass = NodeSocketAddress);
  class SocketAddress extends NodeSocketAddress {
    /** "ip:port" or "[ipv6]:port" to a SocketAddress; undefined when it does not parse (node 22.13's). */
    static override parse(input: string): SocketAddress | undefined {
      validateString(input, 'input');
      try {
        const { hostname: address, port } = new URL(`http://${input}`);
        if (address.startsWith('[') && address.endsWith(']')) {
          return new SocketAddress({ address: address.slice(1, -1), port: (port as any) | 0, family: 'ipv6' });
        }
        return new SocketAddress({ address, port: (port as any) | 0 });
      } catch {
        return undefined;
      }
    }
  }
  return (socketAddressClass = SocketAddress as SocketAddressClass);
}
