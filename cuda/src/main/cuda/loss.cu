// Fused cross-entropy losses: forward and gradient in one pass (Backend.weightedCrossEntropy,
// Backend.classWeightedCrossEntropy). Every element is computed in double and rounded once when stored,
// like the CPU backend's CpuFused.
#include "common.cuh"

// Weighted cross entropy over compact logits [n, c, hw] with I32 targets [n, hw] and weights [n, hw]
// (null = 1): loss_p = w_p (lse_p - x_p[t_p]); grad (may be null) = w_p (softmax_p - onehot(t_p)).
template <typename T>
__device__ void weighted_ce(const T* x, const int* target, const T* weight, int n, int c, int hw, T* lossPix,
                            T* grad, int* err) {
    int total = n * hw;
    WP_LOOP(p, total) {
        int b = p / hw, s = p - b * hw;
        const T* xp = x + (size_t)b * c * hw + s;
        int t = target[p];
        if (!check_index(t, c, err)) continue;
        double m = -INFINITY;
        for (int k = 0; k < c; ++k) m = fmax(m, (double)xp[(size_t)k * hw]);
        double sum = 0;
        for (int k = 0; k < c; ++k) sum += exp((double)xp[(size_t)k * hw] - m);
        double lse = m + log(sum);
        double wp = weight ? (double)weight[p] : 1.0;
        lossPix[p] = (T)(wp * (lse - (double)xp[(size_t)t * hw]));
        if (grad) {
            T* gp = grad + (size_t)b * c * hw + s;
            for (int k = 0; k < c; ++k) {
                double sm = exp((double)xp[(size_t)k * hw] - lse);
                gp[(size_t)k * hw] = (T)(wp * (sm - (k == t ? 1.0 : 0.0)));
            }
        }
    }
}

extern "C" __global__ void wp_weighted_ce_f32(const float* x, const int* t, const float* w, int n, int c, int hw,
                                              float* loss, float* grad, int* err) {
    weighted_ce<float>(x, t, w, n, c, hw, loss, grad, err);
}

extern "C" __global__ void wp_weighted_ce_f64(const double* x, const int* t, const double* w, int n, int c, int hw,
                                              double* loss, double* grad, int* err) {
    weighted_ce<double>(x, t, w, n, c, hw, loss, grad, err);
}

// Class-weighted cross entropy with a clamped softmax (Backend.classWeightedCrossEntropy; WPU-Net's
// WeightMapLoss) over compact logits and weights [n, c, hw]: p = softmax over c, a_k = [p_k >= clampMin]
// (PyTorch's clamp passes the gradient at the bound); loss_p = sum_k -w_k log(max(p_k, clampMin)), with
// log p_k = x_k - lse where it passes; grad (may be null) = p_k sum_j a_j w_j - a_k w_k.
template <typename T>
__device__ void class_weighted_ce(const T* x, const T* w, int n, int c, int hw, double clampMin, T* lossPix, T* grad) {
    int total = n * hw;
    double logMin = log(clampMin);
    WP_LOOP(p, total) {
        int b = p / hw, s = p - b * hw;
        size_t base = (size_t)b * c * hw + s;
        const T* xp = x + base;
        const T* wp = w + base;
        double m = -INFINITY;
        for (int k = 0; k < c; ++k) m = fmax(m, (double)xp[(size_t)k * hw]);
        double sum = 0;
        for (int k = 0; k < c; ++k) sum += exp((double)xp[(size_t)k * hw] - m);
        double lse = m + log(sum), l = 0, aw = 0;
        for (int k = 0; k < c; ++k) {
            double lp = (double)xp[(size_t)k * hw] - lse, wk = (double)wp[(size_t)k * hw];
            if (!(exp(lp) < clampMin)) { l -= wk * lp; aw += wk; }  // NaN passes, as torch.clamp propagates it
            else l -= wk * logMin;
        }
        lossPix[p] = (T)l;
        if (grad) {
            T* gp = grad + base;
            for (int k = 0; k < c; ++k) {
                double pk = exp((double)xp[(size_t)k * hw] - lse);
                double ak = pk < clampMin ? 0.0 : 1.0;
                gp[(size_t)k * hw] = (T)(pk * aw - ak * (double)wp[(size_t)k * hw]);
            }
        }
    }
}

extern "C" __global__ void wp_class_weighted_ce_f32(const float* x, const float* w, int n, int c, int hw, double clampMin,
                                                    float* loss, float* grad) {
    class_weighted_ce<float>(x, w, n, c, hw, clampMin, loss, grad);
}

extern "C" __global__ void wp_class_weighted_ce_f64(const double* x, const double* w, int n, int c, int hw, double clampMin,
                                                    double* loss, double* grad) {
    class_weighted_ce<double>(x, w, n, c, hw, clampMin, loss, grad);
}
