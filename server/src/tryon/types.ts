// Shared shapes of the try-on pipeline. Images here are plain typed arrays (the server's Image, row-major,
// interleaved) because masks and compositing are per-pixel CPU work; tensors appear only inside the models.

import { WEARABLE_CATEGORIES, type WearableCategory } from '@fitting-room/proto';

import type { RgbImage } from '../image.js';

export type { RgbImage, RgbaImage } from '../image.js';

export const CATEGORIES = WEARABLE_CATEGORIES;
export type Category = WearableCategory;

/** One value in [0, 1] a pixel, row-major. */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** COCO-17 keypoint order, as MoveNet outputs them. */
export const KEYPOINT_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;
export type KeypointName = (typeof KEYPOINT_NAMES)[number];

export interface Keypoint extends Point {
  readonly name: KeypointName;
  readonly score: number;
  /** False when the score is low or the point sits on the image border (MoveNet then guesses). */
  readonly visible: boolean;
}

/** The hand points BlazePose gives per side (its landmarks 15-22): enough to bound a hand, fingers included. */
export const HAND_POINT_NAMES = ['wrist', 'index', 'pinky', 'thumb'] as const;
export type HandPointName = (typeof HAND_POINT_NAMES)[number];

export interface HandPoint extends Point {
  /** BlazePose's visibility times presence (both 0..1). */
  readonly score: number;
  /** False when the score is low or the point lies outside the photo. */
  readonly visible: boolean;
}

/** Left and right as the person's own, like MoveNet's. */
export type HandKeypoints = Readonly<Record<'left' | 'right', Readonly<Record<HandPointName, HandPoint>>>>;

export type Keypoints = Readonly<Record<KeypointName, Keypoint>>;

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface PersonAnalysis {
  readonly width: number;
  readonly height: number;
  readonly keypoints: Keypoints;
  /** BlazePose's wrist and finger points per hand; absent when BlazePose failed or saw no pose. */
  readonly hands?: HandKeypoints;
  /** Soft person segmentation at the photo's size. */
  readonly personMask: Mask;
  /** Extent of the segmented person, in pixels. */
  readonly box: Box;
}

export type TryOnStage = 'analysis' | 'mask' | 'garment' | 'generation' | 'compositing';

export interface TryOnProgress {
  readonly stage: TryOnStage;
  /** Fraction of the whole run done, 0..1. */
  readonly fraction: number;
  readonly step?: number;
  readonly totalSteps?: number;
  /** A small raw RGB preview of the current result (the warp's placement; diffusion steps: TAESD or latent-to-RGB). */
  readonly preview?: RgbImage;
}

/** Called on each stage and denoising step; return false to stop the run (as an AbortSignal would). */
export type TryOnProgressCallback = (progress: TryOnProgress) => boolean | void | Promise<boolean | void>;
