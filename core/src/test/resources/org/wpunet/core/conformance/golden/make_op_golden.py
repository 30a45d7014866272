#!/usr/bin/env python3
"""Independent references for every op of the Backend SPI, computed by PyTorch (CPU, float64).

Writes ops.txt next to this script: `case NAME` blocks of `ARRAY DTYPE SHAPE VALUES...` lines (DTYPE
f64 or i64, SHAPE comma-separated or `-` for a scalar, values as Python reprs, which round-trip
exactly). Inputs are generated here too, so the Java side (GoldenOpConformance) reads its inputs and
expected outputs from the same file and never shares code or random numbers with the references.
Run: /usr/bin/python3 make_op_golden.py   (torch 1.13, Debian's python3-torch)
"""
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20261201)
torch.set_default_dtype(torch.float64)
OUT = []


def arr(name, t):
    t = t.detach()
    dt = 'i64' if t.dtype in (torch.int64, torch.int32, torch.bool) else 'f64'
    shape = ','.join(str(s) for s in t.shape) if t.dim() > 0 else '-'
    vals = t.reshape(-1).tolist()
    OUT.append('%s %s %s %s' % (name, dt, shape, ' '.join(repr(int(v)) if dt == 'i64' else repr(float(v)) for v in vals)))


def case(name, **arrays):
    OUT.append('case ' + name)
    for k, v in arrays.items():
        arr(k, v)
    OUT.append('end')


def rnd(*shape, lo=-2.0, hi=2.0):
    # multiples of 1/64 away from 0: exact in F32, no ties at 0 for relu/sign
    t = torch.randint(int(lo * 64), int(hi * 64), shape).double() / 64
    return torch.where(t == 0, torch.full_like(t, 0.25), t)


# ---- unary
x, xp = rnd(3, 4), rnd(3, 4, lo=0.125, hi=3.0)
unary = {'NEG': torch.neg, 'ABS': torch.abs, 'EXP': torch.exp, 'LOG': torch.log, 'SQRT': torch.sqrt, 'RELU': torch.relu,
         'SIGMOID': torch.sigmoid, 'TANH': torch.tanh, 'SIGN': torch.sign, 'SQUARE': torch.square,
         'RECIPROCAL': torch.reciprocal}
for op, f in unary.items():
    inp = xp if op in ('LOG', 'SQRT') else x
    case('unary_' + op, x=inp, y=f(inp))

# ---- binary (b broadcast along the rows) and with a scalar
a, b, ap = rnd(3, 4), rnd(4), rnd(3, 4, lo=0.125, hi=3.0)
b[1] = a[0, 1]  # one equal pair for the comparisons
binary = {'ADD': torch.add, 'SUB': torch.sub, 'MUL': torch.mul, 'DIV': torch.div, 'POW': torch.pow,
          'MAXIMUM': torch.maximum, 'MINIMUM': torch.minimum, 'EQ': torch.eq, 'NE': torch.ne, 'LT': torch.lt,
          'LE': torch.le, 'GT': torch.gt, 'GE': torch.ge}
for op, f in binary.items():
    lhs = ap if op == 'POW' else a
    case('binary_' + op, a=lhs, b=b, y=f(lhs, b).double(), yScalar=f(lhs, torch.tensor(0.75)).double(),
         yScalarFirst=f(torch.tensor(0.75), lhs).double())

# ---- where, clamp
c = torch.rand(3, 4) < 0.5
case('where', cond=c, a=a, b=b, y=torch.where(c, a, b))
case('clamp', x=x, y=torch.clamp(x, -0.5, 0.7))

# ---- reductions over [3,4,5]
r = rnd(3, 4, 5)
case('reduce', x=r, sum1=r.sum(1), sum02=r.sum((0, 2)), max1=r.amax(1), min2=r.amin(2), argmax1=r.argmax(1),
     argmin0=r.argmin(0), sumSquares=(r * r).sum())

# ---- softmax: a short class dim (thread per row on the GPU) and a long one (block per row)
s1, s2 = rnd(2, 3, 4), rnd(2, 40)
case('softmax', x1=s1, soft1=torch.softmax(s1, 1), log1=torch.log_softmax(s1, 1), x2=s2, soft2=torch.softmax(s2, 1),
     log2=torch.log_softmax(s2, 1))

# ---- matmul, batched, plain and with a transposed operand
m1, m2, m3 = rnd(2, 3, 4), rnd(2, 4, 5), rnd(2, 5, 4)
case('matmul', a=m1, b=m2, y=m1 @ m2, bt=m3, yt=m1 @ m3.transpose(1, 2))


# ---- convolution and its gradients (autograd)
def conv_case(name, xs, ws, stride, pad, dil):
    xx, w, bias = rnd(*xs).requires_grad_(), rnd(*ws).requires_grad_(), rnd(ws[0]).requires_grad_()
    y = F.conv2d(xx, w, bias, stride, pad, dil)
    dy = rnd(*y.shape)
    y.backward(dy)
    case(name, x=xx, w=w, b=bias, y=y, dy=dy, dx=xx.grad, dw=w.grad, db=bias.grad,
         params=torch.tensor([stride, pad, dil]))


conv_case('conv2d_s2p1', (2, 3, 6, 7), (4, 3, 3, 3), 2, 1, 1)
conv_case('conv2d_d2p2', (1, 2, 7, 6), (3, 2, 3, 3), 1, 2, 2)

xt, wt, bt = rnd(2, 4, 3, 4).requires_grad_(), rnd(4, 3, 3, 3).requires_grad_(), rnd(3).requires_grad_()
yt = F.conv_transpose2d(xt, wt, bt, stride=2, padding=1, output_padding=1)
dyt = rnd(*yt.shape)
yt.backward(dyt)
case('conv_transpose2d', x=xt, w=wt, b=bt, y=yt, dy=dyt, dx=xt.grad, dw=wt.grad, db=bt.grad,
     params=torch.tensor([2, 1, 1, 1]))

# ---- max pooling (indices flat within each [h, w] plane) and its gradient
xm = rnd(2, 3, 7, 9).requires_grad_()
ym, im = F.max_pool2d(xm, 3, 2, 1, return_indices=True)
dym = rnd(*ym.shape)
ym.backward(dym)
case('max_pool2d', x=xm, y=ym, idx=im, dy=dym, dx=xm.grad)

# ---- batch norm: training (running stats updated, saved mean / inverse std), backward, inference
xb, g, be = rnd(3, 4, 5, 6), rnd(4), rnd(4)
rm, rv = rnd(4), rnd(4, lo=0.5, hi=2.0)
rm2, rv2 = rm.clone(), rv.clone()
yb, smean, sinv = torch.ops.aten.native_batch_norm(xb, g, be, rm2, rv2, True, 0.1, 1e-5)
xg, gg, bg = xb.clone().requires_grad_(), g.clone().requires_grad_(), be.clone().requires_grad_()
yg = F.batch_norm(xg, rm.clone(), rv.clone(), gg, bg, True, 0.1, 1e-5)
dyb = rnd(3, 4, 5, 6)
yg.backward(dyb)
yi = F.batch_norm(xb, rm, rv, g, be, False, 0.1, 1e-5)
case('batch_norm', x=xb, gamma=g, beta=be, runningMean=rm, runningVar=rv, y=yb, runningMeanAfter=rm2,
     runningVarAfter=rv2, saveMean=smean, saveInvStd=sinv, dy=dyb, dx=xg.grad, dgamma=gg.grad, dbeta=bg.grad, yEval=yi)

# ---- indexing
xi = rnd(4, 5, 6)
isel = torch.tensor([4, 0, 2, 4])
xg2 = rnd(4, 5)
gidx = torch.randint(0, 5, (4, 6))
src = rnd(4, 6)
case('indexing', x=xi, index=isel, selected=torch.index_select(xi, 1, isel), xg=xg2, gindex=gidx,
     gathered=torch.gather(xg2, 1, gidx[:, :5]), src=src,
     scattered=torch.zeros(4, 5).scatter_add(1, gidx, src))

# ---- fused losses
logits = rnd(2, 3, 4, 5, lo=-3, hi=3)
target = torch.randint(0, 3, (2, 4, 5))
pw = rnd(2, 4, 5, lo=0.125, hi=2.0)
lg = logits.clone().requires_grad_()
lw = F.cross_entropy(lg, target, reduction='none') * pw
lw.sum().backward()
case('weighted_ce', logits=logits, target=target, weight=pw, loss=lw, grad=lg.grad)

sharp = logits * 4  # some probabilities under the clamp
cw = rnd(2, 3, 4, 5, lo=0.125, hi=2.0)
lg = sharp.clone().requires_grad_()
lc = (-cw * torch.log(torch.clamp(torch.softmax(lg, 1), min=1e-3))).sum(1)
lc.sum().backward()
case('class_weighted_ce', logits=sharp, weights=cw, clampMin=torch.tensor(1e-3), loss=lc, grad=lg.grad)


# ---- optimizers: two steps of torch.optim from the same parameter and gradients
def opt_case(name, make, states):
    p0, g1, g2 = rnd(10), rnd(10), rnd(10)
    p = p0.clone().requires_grad_()
    opt = make([p])
    out = {'p0': p0, 'g1': g1, 'g2': g2}
    for k, g_ in ((1, g1), (2, g2)):
        p.grad = g_.clone()
        opt.step()
        out['p%d' % k] = p.detach().clone()
        st = opt.state[p]
        for s in states:
            out['%s%d' % (s, k)] = st[s].clone()
    case(name, **out)


opt_case('sgd', lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01), ['momentum_buffer'])
opt_case('sgd_nesterov', lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
         ['momentum_buffer'])
opt_case('rmsprop', lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5,
                                                   centered=True), ['square_avg', 'momentum_buffer', 'grad_avg'])
opt_case('adam', lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.01),
         ['exp_avg', 'exp_avg_sq'])
opt_case('adamw_amsgrad', lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1,
                                                       amsgrad=True), ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'])

# ---- random numbers: org.wpunet.core.Rng's documented generator, written out here from its definition
M = (1 << 64) - 1


def mix(seed, counter):
    z = (seed * 0x9E3779B97F4A7C15 + counter * 0xD1B54A32D192ED03 + 0x632BE59BD9B4E019) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


seed = 1234567
case('random_uniform', seed=torch.tensor(seed), f64=torch.tensor([(mix(seed, c) >> 11) * 2.0 ** -53 for c in range(16)]),
     f32=torch.tensor([(mix(seed, c) >> 40) * 2.0 ** -24 for c in range(16)]))

import math


def uniform_double(seed_, c_):
    return (mix(seed_, c_) >> 11) * 2.0 ** -53


def normal(seed_, i):  # Box-Muller on counters 2i and 2i+1, u1 moved into (0, 1]
    u1, u2 = 1.0 - uniform_double(seed_, 2 * i), uniform_double(seed_, 2 * i + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


case('random_normal', seed=torch.tensor(seed), f64=torch.tensor([normal(seed, i) for i in range(16)]))

# dropout(p = 0.3): keep where the F32 uniform < 0.7, scale kept elements by 1 / 0.7
xd = rnd(16)
keep = torch.tensor([float((mix(seed, c_) >> 40) * 2.0 ** -24 < 0.7) for c_ in range(16)])
case('dropout', seed=torch.tensor(seed), x=xd, mask=keep / 0.7, y=xd * (keep / 0.7))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ops.txt')
with open(path, 'w') as f:
    f.write('# made by make_op_golden.py with torch %s (CPU, float64); do not edit\n' % torch.__version__)
    f.write('\n'.join(OUT) + '\n')
print('wrote', path, os.path.getsize(path), 'bytes')
