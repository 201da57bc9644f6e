"""What the project computes by hand (to keep start-up fast) against scikit-learn and numpy: the off-topic
logistic regression, the exemplar ridge classifier and the map's principal component analysis. scikit-learn is
imported inside each test, so collecting the suite (in every pytest-xdist worker) does not load it."""

from __future__ import annotations

import numpy as np
import pytest

from explore import projection
from explore.vectors import Behaviour, Table
from retrieval import classifier, topic


def unit_rows(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def clusters() -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors in 24 dimensions around five centres, 13 to 40 per class (classes of unequal size)."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(5, 24))
    sizes = [40, 13, 27, 33, 19]
    labels = np.repeat(np.arange(5), sizes)
    return unit_rows(centres[labels] + rng.normal(scale=0.9, size=(len(labels), 24))), labels


@pytest.mark.parametrize("c", [0.1, topic.C, 30.0])
def test_logistic_regression_matches_scikit_learn(clusters, c):
    """topic.train minimises c * sum(w_i * log-loss_i) + |w|^2 / 2 with the bias free and both classes weighted
    to count equally: scikit-learn's LogisticRegression with C=c and class_weight='balanced'."""
    from sklearn.linear_model import LogisticRegression

    vectors, labels = clusters
    positives, negatives = vectors[labels != 1], vectors[labels == 1]
    weights, bias = topic.train(positives, negatives, c=c, steps=100)
    x = np.vstack([positives, negatives]).astype(np.float64)
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    reference = LogisticRegression(C=c, class_weight="balanced", solver="newton-cholesky", tol=1e-12,
                                   max_iter=1000).fit(x, y)
    np.testing.assert_allclose(weights, reference.coef_[0], rtol=1e-5, atol=1e-6)
    assert bias == pytest.approx(reference.intercept_[0], rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(topic.Detector(weights, bias, 0.0).scores(x), reference.decision_function(x),
                               rtol=1e-5, atol=1e-6)


def test_the_detector_ranks_as_scikit_learns_does(clusters):
    from sklearn.linear_model import LogisticRegression

    vectors, labels = clusters
    positives, negatives = vectors[labels != 1], vectors[labels == 1]
    detector = topic.fit(positives, negatives)
    reference = LogisticRegression(C=topic.C, class_weight="balanced", tol=1e-10, max_iter=1000).fit(
        np.vstack([positives, negatives]), np.r_[np.ones(len(positives)), np.zeros(len(negatives))])
    ours, theirs = detector.scores(vectors), reference.decision_function(vectors)
    assert np.array_equal(np.argsort(ours), np.argsort(theirs))


@pytest.mark.parametrize("ridge", [0.3, classifier.RIDGE, 30.0])
def test_ridge_classifier_matches_scikit_learn(clusters, ridge):
    """classifier.train is one-vs-rest least squares with targets +1 and -1, the bias free: scikit-learn's
    RidgeClassifier with alpha=ridge, which fits the same targets."""
    from sklearn.linear_model import RidgeClassifier

    vectors, labels = clusters
    ours = classifier.train(vectors, labels, 5, ridge=ridge)
    reference = RidgeClassifier(alpha=ridge, solver="cholesky").fit(vectors.astype(np.float64), labels)
    np.testing.assert_allclose(ours.weights, reference.coef_.T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.bias, reference.intercept_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.scores(vectors), reference.decision_function(vectors), rtol=1e-6, atol=1e-8)
    assert np.array_equal(ours.scores(vectors).argmax(axis=1), reference.predict(vectors))


def test_a_class_without_examples_is_still_solved_as_ridge_regression(clusters):
    """With six classes and no example of the last one, the covered classes are still scikit-learn's Ridge on
    the same +1/-1 targets (RidgeClassifier only knows the classes it sees)."""
    from sklearn.linear_model import Ridge

    vectors, labels = clusters
    ours = classifier.train(vectors, labels, 6)
    targets = -np.ones((len(labels), 6))
    targets[np.arange(len(labels)), labels] = 1.0
    reference = Ridge(alpha=classifier.RIDGE, solver="cholesky").fit(vectors.astype(np.float64), targets)
    np.testing.assert_allclose(ours.weights[:, :5], reference.coef_[:5].T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.bias[:5], reference.intercept_[:5], rtol=1e-6, atol=1e-8)
    assert not ours.covered[5]


def table_of(vectors: np.ndarray) -> Table:
    behaviours = tuple(Behaviour(f"c{n % 4}.{n}", f"behaviour {n}", f"c{n % 4}", f"C{n % 4}", "k", "K")
                       for n in range(len(vectors)))
    return Table(behaviours, vectors)


def test_the_map_is_scikit_learns_pca():
    """The map's two axes, their shares of the variance and every point agree with scikit-learn's PCA (and with
    numpy's SVD of the centred vectors), up to each axis's sign, which the map fixes on purpose."""
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(3)
    stretch = np.diag(np.r_[4.0, 2.5, np.ones(30) * 0.5])
    vectors = unit_rows(rng.normal(size=(102, 32)) @ stretch + rng.normal(size=32))
    ours = projection.fit(table_of(vectors))
    reference = PCA(n_components=2, svd_solver="full").fit(vectors.astype(np.float64))
    signs = np.sign(np.sum(ours.axes * reference.components_, axis=1))
    np.testing.assert_allclose(ours.axes, reference.components_ * signs[:, None], atol=1e-5)
    np.testing.assert_allclose(ours.explained, reference.explained_variance_ratio_, rtol=1e-5)
    np.testing.assert_allclose(ours.mean, reference.mean_, atol=1e-6)
    coords = np.array([(p.x, p.y) for p in ours.points])
    np.testing.assert_allclose(coords, reference.transform(vectors) * signs, atol=1e-5)
    np.testing.assert_allclose(ours.transform(vectors[:5]), coords[:5], atol=1e-5)
    centred = vectors.astype(np.float64) - vectors.mean(axis=0)
    _, singular, _ = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(np.linalg.norm(coords, axis=0), singular[:2], rtol=1e-5)
    for axis in ours.axes:
        assert axis[np.argmax(np.abs(axis))] > 0, "the largest loading is positive"
