// Fused optimizer updates (Backend.optimizerUpdate): one pass over parameter, gradient and state.
// Every element is computed in double and rounded once when stored, like the CPU backend's CpuFused.
#include "common.cuh"

// SGD (OptimizerUpdate.Sgd): d = g + wd p; with momentum: b = d (first step) or m b + (1 - dampening) d,
// d = nesterov ? d + m b : b; p -= lr d.
template <typename T>
__device__ void sgd(T* p, const T* g, T* buf, int n, double lr, double wd, double momentum, double dampening,
                    int nesterov, int firstStep) {
    WP_LOOP(i, n) {
        double d = (double)g[i] + wd * (double)p[i];
        if (momentum != 0.0) {
            double b = firstStep ? d : momentum * (double)buf[i] + (1.0 - dampening) * d;
            buf[i] = (T)b;
            d = nesterov ? d + momentum * b : b;
        }
        p[i] = (T)((double)p[i] - lr * d);
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
    WP_LOOP(i, n) {
        double gi = (double)g[i] + wd * (double)p[i];
        double v = alpha * (double)sq[i] + (1.0 - alpha) * gi * gi;
        sq[i] = (T)v;
        double avg;
        if (gavg) {
            double ga = alpha * (double)gavg[i] + (1.0 - alpha) * gi;
            gavg[i] = (T)ga;
            avg = sqrt(v - ga * ga) + eps;
        } else {
            avg = sqrt(v) + eps;
        }
        if (buf) {
            double b = momentum * (double)buf[i] + gi / avg;
            buf[i] = (T)b;
            p[i] = (T)((double)p[i] - lr * b);
        } else {
            p[i] = (T)((double)p[i] - lr * gi / avg);
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
    WP_LOOP(i, n) {
        double pi = (double)p[i], gi = (double)g[i];
        if (decoupled) pi *= 1.0 - lr * wd; else gi += wd * pi;
        double mi = b1 * (double)m[i] + (1.0 - b1) * gi;
        double vi = b2 * (double)v[i] + (1.0 - b2) * gi * gi;
        m[i] = (T)mi;
        v[i] = (T)vi;
        if (vmax) {
            vi = fmax((double)vmax[i], vi);
            vmax[i] = (T)vi;
        }
        p[i] = (T)(pi - stepSize * mi / (sqrt(vi) / bc2sqrt + eps));
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
