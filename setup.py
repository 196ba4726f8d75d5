from setuptools import find_packages, setup

setup(
    name="mixpath-bench",
    version="0.1.0",
    description="MixPath multi-path one-shot NAS: Shadow-BN supernets, search, ranking and transfer",
    long_description=open("README.md", encoding="utf-8").read() if __import__("os").path.exists("README.md") else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["mixpath_bench", "mixpath_bench.*"]),
    install_requires=[
        "torch>=2.1",
        "torchvision>=0.16",
        "timm>=0.9",
        "mmengine>=0.10,<0.11",
        "fvcore>=0.1.5",
        "pymoo>=0.6",
        "numpy>=1.24",
        "scipy>=1.10",
        "scikit-learn>=1.2",
        "matplotlib>=3.7",
        "safetensors>=0.4",
        "nasbench-pytorch>=1.3",
        "mlxtend>=0.23",
    ],
    extras_require={
        "det": ["mmdet==3.3.0", "mmcv-lite==2.1.0", "pycocotools>=2.0"],
        "dev": ["pytest>=7", "pytest-timeout>=2"],
    },
)
