"""scikit-learn's time for the fit shelfssl's head benchmark times (bench/head.ts): same features, same λ, the
same stopping rule. Single-threaded (OMP/BLAS threads 1, set by the caller) to match the one-threaded JS fit.

usage: head_timing.py DIR L2 TOL REPS   (DIR holds x.npy, standardised float64, and y.npy)
prints JSON: per-rep CPU seconds and scikit-learn's iteration count.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression


def main():
    folder, l2, tol, reps = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    x, y = np.load(f"{folder}/x.npy"), np.load(f"{folder}/y.npy")
    n = len(y)
    seconds, iterations = [], 0
    for _ in range(reps):
        # scikit-learn minimises Σ CE + ‖W‖²/(2C) with its gradient tolerance on that sum: C = 1/(n·λ), tol·n
        # is shelfssl's max |∂f/∂θ| ≤ tol on the mean.
        model = LogisticRegression(C=1.0 / (n * l2), tol=tol * n, max_iter=20000)
        start = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x, y)
        seconds.append(time.process_time() - start)
        iterations = int(model.n_iter_[0])
    print(json.dumps({"seconds": seconds, "iterations": iterations}))


main()
