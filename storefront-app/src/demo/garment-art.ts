// Product pictures for the demo catalog, drawn here as SVG and rasterised with sharp: flat-lay garments on a
// white background, the way product photos of clothes look. No photos from elsewhere are needed.
import sharp from 'sharp';

export type GarmentShape = 'tee' | 'sweater' | 'jeans' | 'dress' | 'tote';

const SIZE = 512;

function shapeSvg(shape: GarmentShape, color: string, accent: string): string {
  switch (shape) {
    case 'tee':
      return `<path d="M176 86 L128 100 L60 160 L100 214 L146 184 L146 430 L366 430 L366 184 L412 214 L452 160 L384 100 L336 86
        Q256 140 176 86 Z" fill="${color}" stroke="${accent}" stroke-width="4"/>
        <path d="M196 92 Q256 128 316 92" fill="none" stroke="${accent}" stroke-width="8"/>`;
    case 'sweater': {
      const stripes = [0, 1, 2, 3, 4].map((i) => `<rect x="150" y="${210 + i * 44}" width="212" height="16" fill="${accent}"/>`).join('');
      return `<path d="M180 80 L130 96 L70 200 L56 420 L104 428 L150 240 L150 440 L362 440 L362 240 L408 428 L456 420 L442 200
        L382 96 L332 80 Q256 124 180 80 Z" fill="${color}" stroke="${accent}" stroke-width="4"/>${stripes}
        <rect x="150" y="420" width="212" height="20" fill="${accent}" opacity="0.6"/>`;
    }
    case 'jeans':
      return `<path d="M156 60 L356 60 L376 460 L286 460 L256 170 L226 460 L136 460 Z" fill="${color}" stroke="${accent}" stroke-width="4"/>
        <rect x="156" y="60" width="200" height="28" fill="${accent}" opacity="0.5"/>
        <path d="M256 88 L256 170" stroke="${accent}" stroke-width="4"/>
        <path d="M176 100 Q200 130 226 104 M286 104 Q312 130 336 100" fill="none" stroke="${accent}" stroke-width="3"/>`;
    case 'dress':
      return `<path d="M206 50 L216 120 Q256 140 296 120 L306 50 L340 60 L330 190 L420 470 L92 470 L182 190 L172 60 Z"
        fill="${color}" stroke="${accent}" stroke-width="4"/>
        <path d="M182 190 Q256 214 330 190" fill="none" stroke="${accent}" stroke-width="10"/>`;
    case 'tote':
      return `<path d="M196 170 Q196 70 256 70 Q316 70 316 170" fill="none" stroke="${accent}" stroke-width="14"/>
        <rect x="116" y="160" width="280" height="300" rx="12" fill="${color}" stroke="${accent}" stroke-width="4"/>`;
  }
}

export async function drawGarment(shape: GarmentShape, color: string, accent: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
    <rect width="${SIZE}" height="${SIZE}" fill="#ffffff"/>${shapeSvg(shape, color, accent)}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
