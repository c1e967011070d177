#!/usr/bin/env python3
"""Prints the engine sources of native/sources.gypi for an OS (linux, win),
one per line, relative to native/ (or prefixed with --prefix). One list of
sources for binding.gyp, the native Makefile and the mingw-w64 build."""
import ast
import os
import sys


def sources(target_os):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, 'sources.gypi')) as f:
        gypi = ast.literal_eval(f.read())
    files = list(gypi['sources'])
    for condition, extra in gypi.get('conditions', []):
        if condition == "OS=='%s'" % target_os:
            files += extra['sources']
    return files


if __name__ == '__main__':
    args = sys.argv[1:]
    prefix = ''
    if '--prefix' in args:
        i = args.index('--prefix')
        prefix = args[i + 1]
        del args[i:i + 2]
    print('\n'.join(prefix + name for name in sources(args[0] if args else 'linux')))
