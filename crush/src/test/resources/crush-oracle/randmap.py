# Random CRUSH map generator for the crushtool oracle vectors (see README.md here).
# usage: python3 randmap.py SEED [choose_args] > map.src.txt   (prints "NUM_DEVICES NUM_RULES" to stderr)
import random, sys
def gen(seed, choose_args_always=False):
    R = random.Random(seed)
    profiles = {
      'argonaut': (2,5,19,0,0,0,0,22), 'bobtail': (0,0,50,1,0,0,0,22), 'firefly': (0,0,50,1,1,0,0,22),
      'hammer': (0,0,50,1,1,0,1,54), 'jewel': (0,0,50,1,1,1,1,54), 'odd': (R.randint(0,3), R.randint(0,6), R.randint(1,60), R.randint(0,1), R.randint(0,3), R.randint(0,1), R.randint(0,1), 62)}
    prof = R.choice(['hammer', 'jewel', 'odd']) if choose_args_always else R.choice(list(profiles))
    t = profiles[prof]
    names = ['choose_local_tries','choose_local_fallback_tries','choose_total_tries','chooseleaf_descend_once','chooseleaf_vary_r','chooseleaf_stable','straw_calc_version','allowed_bucket_algs']
    L = ['tunable %s %d' % (n, v) for n, v in zip(names, t)]
    algs = ['straw2','straw','list','tree','uniform'] if t[7] == 62 or t[7]==54 else ['straw','list','uniform']
    if t[7] == 54: algs = ['straw2','straw','list','uniform']
    use_classes = R.random() < 0.3
    if use_classes:
        algs = [a for a in algs if a != 'tree']  # Ceph builds shadow tree buckets with uninitialised node weights
    nracks = R.randint(1, 4); osd = 0; devices = []; buckets = []; bid = -1
    racks = []
    for r in range(nracks):
        hosts = []
        for h in range(R.randint(1, 4)):
            alg = R.choice(algs)
            n = R.randint(1, 5)
            w_uniform = R.choice([0.5, 1.0, 2.0])
            items = []
            for i in range(n):
                w = w_uniform if alg == 'uniform' else R.choice([0.0, 0.25, 0.5, 1.0, 1.0, 1.5, 2.0, 3.64, 0.1])
                cls = R.choice(['hdd','ssd']) if use_classes else None
                devices.append((osd, cls)); items.append(('osd.%d' % osd, w)); osd += 1
            hn = 'host%d_%d' % (r, h)
            buckets.append(('host', hn, bid, alg, items)); hosts.append((hn, sum(w for _, w in items))); bid -= 1
        alg = R.choice([a for a in algs if a != 'uniform'])
        rn = 'rack%d' % r
        buckets.append(('rack', rn, bid, alg, hosts)); racks.append((rn, sum(w for _, w in hosts))); bid -= 1
    root_alg = R.choice([a for a in algs if a != 'uniform'])
    buckets.append(('root', 'default', bid, root_alg, racks)); bid -= 1
    out = ['# begin crush map'] + L + ['', '# devices']
    for d, cls in devices:
        out.append('device %d osd.%d%s' % (d, d, (' class ' + cls) if cls else ''))
    out += ['', '# types', 'type 0 osd', 'type 1 host', 'type 2 rack', 'type 3 root', '', '# buckets']
    bucket_sizes = {}
    for typ, name, i, alg, items in buckets:
        out.append('%s %s {' % (typ, name)); out.append('\tid %d' % i)
        if False:
            for k, c in enumerate(['hdd', 'ssd']):
                out.append('\tid %d class %s' % (-100 - 2 * (-i) - k, c))
        out.append('\talg %s' % alg); out.append('\thash 0')
        for it, w in items:
            out.append('\titem %s weight %.3f' % (it, w))
        out.append('}')
        bucket_sizes[i] = (alg, len(items))
    out += ['', '# rules']
    nrules = R.randint(1, 5)
    for rid in range(nrules):
        steps = []
        if R.random() < 0.3: steps.append('step set_choose_tries %d' % R.randint(1, 100))
        if R.random() < 0.3: steps.append('step set_chooseleaf_tries %d' % R.randint(1, 10))
        if R.random() < 0.15: steps.append('step set_choose_local_tries %d' % R.randint(0, 3))
        if R.random() < 0.15: steps.append('step set_choose_local_fallback_tries %d' % R.randint(0, 5))
        if R.random() < 0.15: steps.append('step set_chooseleaf_vary_r %d' % R.randint(0, 2))
        if R.random() < 0.15: steps.append('step set_chooseleaf_stable %d' % R.randint(0, 1))
        cls = ''
        if use_classes and R.random() < 0.5: cls = ' class ' + R.choice(['hdd','ssd'])
        steps.append('step take default' + cls)
        mode = R.choice(['firstn', 'indep'])
        shape = R.random()
        if shape < 0.4:
            steps.append('step chooseleaf %s %d type %s' % (mode, R.choice([0, 0, -1, 2, 3]), R.choice(['host','rack','osd'])))
        elif shape < 0.7:
            steps.append('step choose %s %d type %s' % (mode, R.choice([0, 2, 3]), R.choice(['rack','host'])))
            steps.append('step chooseleaf %s %d type %s' % (mode, R.choice([0, 1, 2]), R.choice(['host','osd'])))
        else:
            steps.append('step choose %s %d type %s' % (mode, R.choice([0, 1, 2]), R.choice(['host','rack'])))
            steps.append('step choose %s %d type osd' % (mode, R.choice([0, 1, 2])))
        steps.append('step emit')
        out.append('rule r%d {' % rid); out.append('\tid %d' % rid); out.append('\ttype %s' % ('erasure' if mode == 'indep' else 'replicated'))
        out.append('\tmin_size 1'); out.append('\tmax_size 10')
        out += ['\t' + s for s in steps]; out.append('}')
    # choose_args
    if t[7] & (1 << 5) and (choose_args_always or R.random() < 0.5) and not use_classes:
        out.append('choose_args %d {' % (0 if choose_args_always else R.choice([0, 0, 1])))
        for typ, name, i, alg, items in buckets:
            if alg != 'straw2' or R.random() < 0.3: continue
            out.append('  {'); out.append('    bucket_id %d' % i)
            if R.random() < 0.8:
                out.append('    weight_set [')
                for p in range(R.randint(1, 3)):
                    out.append('      [ ' + ' '.join('%.3f' % R.choice([0.0, 0.5, 1.0, 2.0, 0.75]) for _ in items) + ' ]')
                out.append('    ]')
            if R.random() < 0.4:
                out.append('    ids [ ' + ' '.join(str(-1000 - R.randint(0, 100) if R.random() < 0.5 else R.randint(0, 50)) for _ in items) + ' ]')
            out.append('  }')
        out.append('}')
    out.append('# end crush map')
    ndev = osd
    return '\n'.join(out) + '\n', ndev, nrules
if __name__ == '__main__':
    text, ndev, nrules = gen(int(sys.argv[1]), len(sys.argv) > 2 and sys.argv[2] == 'choose_args')
    sys.stdout.write(text)
    sys.stderr.write('%d %d\n' % (ndev, nrules))
