#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The driver's guide matches the driver (issue 12, deliverable 5).

usage: guide_check.py [--rst FILE] [--notes FILE] [--ini FILE] ROOT

ROOT is the source tree; the guide files default to ROOT/pmd/doc/. Checks:

1. Devargs. Every RTE_PMD_REGISTER_PARAM_STRING(driver, ...) of ROOT/pmd/**/*.c
   is expanded (its string literals and the macros of ROOT/pmd/**/*.[ch] they
   name, such as MANA_DEVARGS_COMMON_PARAMS) into its keys. Each key the
   driver lists itself must head an item (a list item, a definition term or
   a table row beginning with ``key`` or ``key=...``) in a section of the
   guide whose title names the driver; each key of MANA_DEVARGS_COMMON_PARAMS
   (checked also when no driver registers it) must head an item anywhere.
   A macro that cannot be expanded fails: a new form must not pass unread.
   A section whose title names a driver the tree registers must not say it
   is "not yet in the tree" (the guide was written before the driver).
2. Xstats. Every name of mana_xstat_names[] in ROOT/pmd/mana_observe.c must
   head an item (a table row or list item) of the guide.
3. Form. The guide and the release notes parse with docutils (plain
   reStructuredText: no Sphinx-only role or directive) without a warning,
   open with an SPDX comment; the release notes have the sections
   "New Features" and "Known Issues".
4. Features matrix. The .ini has one section, [Features], whose values are
   Y or P; each feature it claims has a rule below naming what in the
   driver's source provides it, and that is found there.

Prints one line per problem; exit 1 on any, 0 with a summary otherwise.
"""
import argparse
import configparser
import glob
import io
import os
import re
import sys

try:
    import docutils.core
    import docutils.nodes as nodes
except ImportError:
    print('FAIL: python3-docutils is missing: run sudo tools/setup')
    sys.exit(1)

COMMON_MACRO = 'MANA_DEVARGS_COMMON_PARAMS'
OBSERVE = 'pmd/mana_observe.c'

# Features of features/mana.ini -> (file, regex) that must all be found in
# the source for the claim to stand. None: a platform or the guide itself.
FEATURE_RULES = {
    'Speed capabilities': [('pmd/mana_ethdev.c', r'->speed_capa\s*=')],
    'Link status': [('pmd/mana_ethdev.c', r'\.link_update\s*=')],
    'Removal event': [('pmd/mana_reset_port.c', r'RTE_ETH_EVENT_INTR_RMV')],
    'MTU update': [('pmd/mana_ethdev.c', r'\.mtu_set\s*=')],
    'Promiscuous mode': [('pmd/mana_ethdev.c', r'\.promiscuous_enable\s*='),
                         ('pmd/mana_ethdev.c', r'\.promiscuous_disable\s*=')],
    'Allmulticast mode': [('pmd/mana_ethdev.c', r'\.allmulticast_enable\s*='),
                          ('pmd/mana_ethdev.c', r'\.allmulticast_disable\s*=')],
    'Unicast MAC filter': [('pmd/mana_ethdev.c', r'\.mac_addr_set\s*=')],
    'RSS hash': [('pmd/mana_ethdev.c', r'rx_offload_capa\s*=.*RTE_ETH_RX_OFFLOAD_RSS_HASH'),
                 ('pmd/mana_rxtx.c', r'RTE_MBUF_F_RX_RSS_HASH')],
    'RSS key update': [('pmd/mana_ethdev.c', r'\.rss_hash_update\s*='),
                       ('pmd/mana_ethdev.c', r'\.rss_hash_conf_get\s*=')],
    'RSS reta update': [('pmd/mana_ethdev.c', r'\.reta_update\s*='),
                        ('pmd/mana_ethdev.c', r'\.reta_query\s*=')],
    'Basic stats': [('pmd/mana_ethdev.c', r'\.stats_get\s*='),
                    ('pmd/mana_ethdev.c', r'\.stats_reset\s*=')],
    'Extended stats': [('pmd/mana_ethdev.c', r'\.xstats_get\s*='),
                       ('pmd/mana_ethdev.c', r'\.xstats_get_names\s*=')],
    'Stats per queue': [('pmd/mana_ethdev.c', r'->q_ipackets\['),
                        ('pmd/mana_ethdev.c', r'->q_opackets\[')],
    'L3 checksum offload': [('pmd/mana_ethdev.c', r'rx_offload_capa\s*=.*RTE_ETH_RX_OFFLOAD_CHECKSUM'),
                            ('pmd/mana_ethdev.c', r'RTE_ETH_TX_OFFLOAD_IPV4_CKSUM'),
                            ('pmd/mana_rxtx.c', r'RTE_MBUF_F_RX_IP_CKSUM_')],
    'L4 checksum offload': [('pmd/mana_ethdev.c', r'RTE_ETH_TX_OFFLOAD_TCP_CKSUM'),
                            ('pmd/mana_ethdev.c', r'RTE_ETH_TX_OFFLOAD_UDP_CKSUM'),
                            ('pmd/mana_rxtx.c', r'RTE_MBUF_F_RX_L4_CKSUM_')],
    'Packet type parsing': [('pmd/mana_ethdev.c', r'\.dev_supported_ptypes_get\s*='),
                            ('pmd/mana_rxtx.c', r'packet_type\s*=')],
    'Multiprocess aware': [('pmd/mana_drv.c', r'rte_eth_dev_attach_secondary'),
                           ('pmd/mana_sec.c', r'MANA_MP_PARK'),
                           ('pmd/sim/sim_vdev.c', r'RTE_PROC_PRIMARY'),
                           ('pmd/verbs/verbs_pci.c', r'RTE_PROC_PRIMARY')],
    'Linux': None,
    'x86-64': None,
    'Usage doc': None,
}


def problem(msg):
    print(f'FAIL: {msg}')
    return 1


# ---- devargs ------------------------------------------------------------

def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def read_defines(files):
    """NAME -> body of every object-like #define of files."""
    defs = {}
    for path in files:
        text = open(path, encoding='utf-8').read().replace('\\\n', ' ')
        for m in re.finditer(r'^[ \t]*#[ \t]*define[ \t]+(\w+)(?![\w(])(.*)$',
                             strip_comments(text), flags=re.M):
            defs[m.group(1)] = m.group(2).strip()
    return defs


TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(\w+))')


def expand(expr, defs, seen=()):
    """The C string an expression of literals and macros concatenates to,
    and the names of the macros it went through. Raises ValueError."""
    out, used, pos = [], set(), 0
    expr = expr.strip()
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if m is None or m.end() == pos:
            raise ValueError(f'cannot read {expr[pos:pos + 40]!r}')
        pos = m.end()
        if m.group(1) is not None:
            out.append(bytes(m.group(1), 'utf-8').decode('unicode_escape'))
            continue
        name = m.group(2)
        if name not in defs or name in seen:
            raise ValueError(f'macro {name} is not a string #define of pmd/')
        text, sub = expand(defs[name], defs, seen + (name,))
        out.append(text)
        used |= sub | {name}
    return ''.join(out), used


def keys_of(usage):
    """The keys of a usage string: 'a=<x> b=ok|fail c=<n>' -> [a, b, c]."""
    return [tok.split('=', 1)[0] for tok in usage.split() if '=' in tok]


def param_strings(root, defs):
    """[(file, driver, own keys)] of the registrations read, the common keys,
    the number of registrations found, and problems."""
    found, fails, seen = [], 0, 0
    common, _ = expand(COMMON_MACRO, defs)
    common_keys = keys_of(common)
    sources = sorted(glob.glob(os.path.join(root, 'pmd', '**', '*.c'), recursive=True))
    for path in sources:
        text = strip_comments(open(path, encoding='utf-8').read())
        for m in re.finditer(r'RTE_PMD_REGISTER_PARAM_STRING\s*\(\s*(\w+)\s*,(.*?)\)\s*;',
                             text, flags=re.S):
            rel = os.path.relpath(path, root)
            seen += 1
            try:
                usage, used = expand(m.group(2), defs)
            except ValueError as e:
                fails += problem(f'{rel}: {m.group(1)}: {e}')
                continue
            keys = keys_of(usage)
            if not keys:
                fails += problem(f'{rel}: {m.group(1)}: no key=value in {usage!r}')
            own = keys if COMMON_MACRO not in used else \
                [k for k in keys if k not in common_keys]
            found.append((rel, m.group(1), own))
    return found, common_keys, seen, fails


# ---- the guide's items --------------------------------------------------

def parse_rst(path, label):
    """The doctree of path, and the number of problems found parsing it."""
    text = open(path, encoding='utf-8').read()
    warnings = io.StringIO()
    tree = docutils.core.publish_doctree(
        text, source_path=path,
        settings_overrides={'report_level': 2, 'halt_level': 5,
                            'warning_stream': warnings, 'syntax_highlight': 'none',
                            'file_insertion_enabled': False, 'raw_enabled': False})
    # One message: its "FILE:LINE: (LEVEL/n) text" line and its context
    # lines; docutils may report a title's message twice.
    messages = []
    for line in warnings.getvalue().splitlines():
        if re.search(r'\((DEBUG|INFO|WARNING|ERROR|SEVERE)/\d\)', line) or not messages:
            messages.append([line])
        elif line.strip():
            messages[-1].append(line)
    fails = 0
    for i, msg in enumerate(messages):
        if msg in messages[:i]:
            continue
        fails += problem(f'{label}: docutils: {msg[0]}')
        for line in msg[1:]:
            print(f'    {line}')
    if not re.match(r'\.\.\s+SPDX-License-Identifier: ', text):
        fails += problem(f'{label}: does not open with an SPDX-License-Identifier comment')
    return tree, fails


def head_literal(node):
    """The literal a list item, definition term or table row begins with."""
    if isinstance(node, nodes.list_item):
        first = node.children[0] if node.children else None
    elif isinstance(node, nodes.term):
        first = node
    elif isinstance(node, nodes.row):
        entry = node.children[0] if node.children else None
        first = entry.children[0] if entry is not None and entry.children else None
    else:
        return None
    if not isinstance(first, (nodes.paragraph, nodes.term)) or not first.children:
        return None
    lit = first.children[0]
    return lit.astext() if isinstance(lit, nodes.literal) else None


def section_titles(node):
    titles = []
    while node is not None:
        if isinstance(node, nodes.section) and node.children and \
                isinstance(node.children[0], nodes.title):
            titles.append(node.children[0].astext())
        node = node.parent
    return titles


def names_driver(title, driver):
    """Whether a section title names driver as a word (net_mana is not
    named by a title about net_mana_sim)."""
    return re.search(r'(?<!\w)' + re.escape(driver) + r'(?!\w)', title) is not None


def guide_items(tree):
    """{name: [titles of the sections of each item it heads]}: for
    ``key=<value>`` the name is key."""
    items = {}
    for node in tree.traverse(lambda n: isinstance(n, (nodes.list_item, nodes.term,
                                                       nodes.row))):
        if isinstance(node, nodes.row) and isinstance(node.parent, nodes.thead):
            continue
        text = head_literal(node)
        if text is None:
            continue
        name = text.split('=', 1)[0].strip()
        items.setdefault(name, []).append(section_titles(node))
    return items


# ---- xstats -------------------------------------------------------------

def xstat_names(root):
    text = strip_comments(open(os.path.join(root, OBSERVE), encoding='utf-8').read())
    m = re.search(r'mana_xstat_names\s*\[[^\]]*\]\s*=\s*\{(.*?)\};', text, flags=re.S)
    if m is None:
        return None
    entries = re.findall(r'\[[^\]]+\]\s*=\s*"([^"]+)"', m.group(1))
    # Every initializer of the table is a designated "name": none missed.
    if len(entries) != m.group(1).count('"') // 2 or len(entries) != m.group(1).count('='):
        return None
    return entries


# ---- features matrix ----------------------------------------------------

def check_ini(path, root):
    fails = 0
    ini = configparser.ConfigParser(delimiters=('=',), comment_prefixes=(';',),
                                    interpolation=None)
    ini.optionxform = str
    try:
        ini.read_string(open(path, encoding='utf-8').read(), source=path)
    except configparser.Error as e:
        return problem(f'{path}: {e}'), 0
    if ini.sections() != ['Features']:
        fails += problem(f'{path}: sections {ini.sections()}, want only [Features]')
    claims = ini['Features'] if ini.has_section('Features') else {}
    for feature, value in claims.items():
        if value not in ('Y', 'P'):
            fails += problem(f'{path}: {feature} = {value!r}: Y or P (leave out what is not there)')
        if feature not in FEATURE_RULES:
            fails += problem(f'{path}: {feature}: no rule in guide_check.py says what provides it')
            continue
        for rel, rx in FEATURE_RULES[feature] or []:
            src = os.path.join(root, rel)
            if not os.path.isfile(src) or not re.search(rx, open(src, encoding='utf-8').read()):
                fails += problem(f'{path}: {feature}: {rel} has no /{rx}/')
    return fails, len(claims)


# ---- main ---------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('root')
    ap.add_argument('--rst')
    ap.add_argument('--notes')
    ap.add_argument('--ini')
    args = ap.parse_args(argv)
    root = os.path.realpath(args.root)
    doc = os.path.join(root, 'pmd', 'doc')
    rst = args.rst or os.path.join(doc, 'mana.rst')
    notes = args.notes or os.path.join(doc, 'release_notes.rst')
    ini = args.ini or os.path.join(doc, 'features', 'mana.ini')
    fails = 0

    tree, n = parse_rst(rst, rst)
    fails += n
    items = guide_items(tree)

    headers = glob.glob(os.path.join(root, 'pmd', '**', '*.[ch]'), recursive=True)
    defs = read_defines(headers)
    try:
        drivers, common_keys, seen, n = param_strings(root, defs)
    except ValueError as e:
        return problem(f'{COMMON_MACRO}: {e}')
    fails += n
    if not seen:
        fails += problem('no RTE_PMD_REGISTER_PARAM_STRING found under pmd/: wrong ROOT?')
    if not common_keys:
        fails += problem(f'{COMMON_MACRO} gives no key')
    for key in common_keys:
        if key not in items:
            fails += problem(f'devarg {key} ({COMMON_MACRO}) is not documented in {rst}: '
                             f'no item begins with ``{key}`` or ``{key}=...``')
    nb_devargs = len(common_keys)
    all_titles = [s.children[0].astext() for s in tree.traverse(nodes.section)]
    for rel, driver, own in drivers:
        for title in all_titles:
            if names_driver(title, driver) and 'not yet in the tree' in title:
                fails += problem(f'{rst}: section "{title}": {driver} is in the tree '
                                 f'({rel}): say what it does now')
        for key in own:
            nb_devargs += 1
            if not any(any(names_driver(t, driver) for t in titles)
                       for titles in items.get(key, [])):
                fails += problem(f'devarg {key} of {driver} ({rel}) is not documented in {rst}: '
                                 f'no item begins with ``{key}`` or ``{key}=...`` in a section '
                                 f'whose title names {driver}')

    names = xstat_names(root)
    if not names:
        fails += problem(f'{OBSERVE}: cannot read the table mana_xstat_names[]')
        names = []
    for name in names:
        if name not in items:
            fails += problem(f'xstat {name} ({OBSERVE}) is not documented in {rst}: '
                             f'no table row or item begins with ``{name}``')

    notes_tree, n = parse_rst(notes, notes)
    fails += n
    titles = {s.children[0].astext() for s in notes_tree.traverse(nodes.section)}
    for want in ('New Features', 'Known Issues'):
        if want not in titles:
            fails += problem(f'{notes}: no section "{want}"')

    n, nb_features = check_ini(ini, root)
    fails += n

    if fails:
        print(f'FAIL: {fails} problem(s) in the guide')
        return 1
    print(f'ok: {nb_devargs} devargs of {len(drivers)} driver(s) and {len(names)} xstats '
          f'documented in {os.path.relpath(rst, root)}; it and the release notes parse '
          f'without warning; {nb_features} features of the matrix found in the source')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
