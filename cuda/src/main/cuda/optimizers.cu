// Fused optimizer updates (Backend.optimizerUpdate): one pass over parameter, gradient and state, in
// the parameter's own type T (float for F32, double for F64), as PyTorch's fused/foreach CUDA optimizers
// compute float parameters in float. The hyper-parameters arrive as doubles and are rounded to T once
// (derived ones such as 1 - dampening are formed in double first). Each element takes a handful of
// roundings per step (relative error a few 2^-24 of the update in float), none of them accumulates
// across elements.
#include "common.cuh"

// SGD (OptimizerUpdate.Sgd): d = g + wd p; with momentum: b = d (first step) or m b + (1 - dampening) d,
// d = nesterov ? d + m b : b; p -= lr d.
template <typename T>
__device__ void sgd(T* p, const T* g, T* buf, int n, double lr, double wd, double momentum, double dampening,
                    int nesterov, int firstStep) {
    T tlr = T(lr), twd = T(wd), tm = T(momentum), tdamp = T(1.0 - dampening);
    bool useMomentum = momentum != 0.0;
    WP_LOOP(i, n) {
        T d = g[i] + twd * p[i];
        if (useMomentum) {
            T b = firstStep ? d : tm * buf[i] + tdamp * d;
            buf[i] = b;
            d = nesterov ? d + tm * b : b;
        }
        p[i] = p[i] - tlr * d;
    }
}

extern "C" __global__ void wp_sgd_f32(float* p, const float* g, float* buf, int n, double lr, double wd, double momentum,
                                      double dampening, int nesterov, int firstStep) {
    sgd<float>(p, g, buf, n, lr, wd, momentum, dampening, nesterov, firstStep);
}

extern "C" __global__ void wp_sgd_f64(double* p, const double* g, double* buf, int n, double lr, double wd, double momentum,
                                      double dampening, int nesterov, int firstStep) {
    sgd<double>(p, g, buf, n, lr, wd, momentum, dampening, nesterov, firstStep);
}

// RMSprop (OptimizerUpdate.RmsProp): g += wd p; v = a v + (1-a) g^2; centred: ga = a ga + (1-a) g,
// avg = sqrt(v - ga^2) + eps, else sqrt(v) + eps; momentum: b = m b + g/avg, p -= lr b; else p -= lr g/avg.
// buf and gavg are null when unused.
template <typename T>
__device__ void rmsprop(T* p, const T* g, T* sq, T* buf, T* gavg, int n, double lr, double wd, double alpha, double eps,
                        double momentum) {
    T tlr = T(lr), twd = T(wd), ta = T(alpha), t1a = T(1.0 - alpha), teps = T(eps), tm = T(momentum);
    WP_LOOP(i, n) {
        T gi = g[i] + twd * p[i];
        T v = ta * sq[i] + t1a * gi * gi;
        sq[i] = v;
        T avg;
        if (gavg) {
            T ga = ta * gavg[i] + t1a * gi;
            gavg[i] = ga;
            avg = sqrt(v - ga * ga) + teps;
        } else {
            avg = sqrt(v) + teps;
        }
        if (buf) {
            T b = tm * buf[i] + gi / avg;
            buf[i] = b;
            p[i] = p[i] - tlr * b;
        } else {
            p[i] = p[i] - tlr * gi / avg;
        }
    }
}

extern "C" __global__ void wp_rmsprop_f32(float* p, const float* g, float* sq, float* buf, float* gavg, int n, double lr,
                                          double wd, double alpha, double eps, double momentum) {
    rmsprop<float>(p, g, sq, buf, gavg, n, lr, wd, alpha, eps, momentum);
}

extern "C" __global__ void wp_rmsprop_f64(double* p, const double* g, double* sq, double* buf, double* gavg, int n,
                                          double lr, double wd, double alpha, double eps, double momentum) {
    rmsprop<double>(p, g, sq, buf, gavg, n, lr, wd, alpha, eps, momentum);
}

// Adam / AdamW (OptimizerUpdate.Adam): decoupled p *= 1 - lr wd, else g += wd p; m = b1 m + (1-b1) g;
// v = b2 v + (1-b2) g^2; amsgrad (vmax not null): vmax = max(vmax, v) replaces v;
// p -= stepSize m / (sqrt(v) / bc2sqrt + eps), stepSize = lr / (1 - b1^t), bc2sqrt = sqrt(1 - b2^t).
template <typename T>
__device__ void adam(T* p, const T* g, T* m, T* v, T* vmax, int n, double lr, double wd, double b1, double b2, double eps,
                     int decoupled, double stepSize, double bc2sqrt) {
    T twd = T(wd), tdecay = T(1.0 - lr * wd), tb1 = T(b1), t1b1 = T(1.0 - b1), tb2 = T(b2), t1b2 = T(1.0 - b2),
      teps = T(eps), tstep = T(stepSize), tbc2 = T(bc2sqrt);
    WP_LOOP(i, n) {
        T pi = p[i], gi = g[i];
        if (decoupled) pi *= tdecay; else gi += twd * pi;
        T mi = tb1 * m[i] + t1b1 * gi;
        T vi = tb2 * v[i] + t1b2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        if (vmax) {
            vi = fmax(vmax[i], vi);
            vmax[i] = vi;
        }
        p[i] = pi - tstep * mi / (sqrt(vi) / tbc2 + teps);
    }
}

extern "C" __global__ void wp_adam_f32(float* p, const float* g, float* m, float* v, float* vmax, int n, double lr,
                                       double wd, double b1, double b2, double eps, int decoupled, double stepSize,
                                       double bc2sqrt) {
    adam<float>(p, g, m, v, vmax, n, lr, wd, b1, b2, eps, decoupled, stepSize, bc2sqrt);
}

extern "C" __global__ void wp_adam_f64(double* p, const double* g, double* m, double* v, double* vmax, int n, double lr,
                                       double wd, double b1, double b2, double eps, int decoupled, double stepSize,
                                       double bc2sqrt) {
    adam<double>(p, g, m, v, vmax, n, lr, wd, b1, b2, eps, decoupled, stepSize, bc2sqrt);
}
