/**
 * Seed 004's apple/orange price graph: price = (apple * apple_num + orange * orange_num) * tax, computed
 * with the book's layer objects and with named Scalars on the tape.
 */
import { type Scalar, scalar } from '@tapegrad/core';
import { AddLayer, MulLayer } from '@tapegrad/layers';

export interface PriceGradients {
  readonly price: number;
  readonly dapple: number;
  readonly dappleNum: number;
  readonly dorange: number;
  readonly dorangeNum: number;
  readonly dtax: number;
  readonly dallPrice: number;
}

export const APPLE = 100;
export const APPLE_NUM = 2;
export const ORANGE = 150;
export const ORANGE_NUM = 3;
export const TAX = 1.1;

/** The book's script, line for line: four layers, forward, then backward from dprice = 1. */
export function priceWithLayers(): PriceGradients {
  const mulAppleLayer = new MulLayer();
  const mulOrangeLayer = new MulLayer();
  const addAppleOrangeLayer = new AddLayer();
  const mulTaxLayer = new MulLayer();

  const applePrice = mulAppleLayer.forward(APPLE, APPLE_NUM);
  const orangePrice = mulOrangeLayer.forward(ORANGE, ORANGE_NUM);
  const allPrice = addAppleOrangeLayer.forward(applePrice, orangePrice);
  const price = mulTaxLayer.forward(allPrice, TAX);

  const dprice = 1;
  const [dallPrice, dtax] = mulTaxLayer.backward(dprice) as [number, number];
  const [dapplePrice, dorangePrice] = addAppleOrangeLayer.backward(dallPrice) as [number, number];
  const [dapple, dappleNum] = mulAppleLayer.backward(dapplePrice) as [number, number];
  const [dorange, dorangeNum] = mulOrangeLayer.backward(dorangePrice) as [number, number];
  return { price, dapple, dappleNum, dorange, dorangeNum, dtax, dallPrice };
}

export interface PriceGraph {
  readonly apple: Scalar;
  readonly appleNum: Scalar;
  readonly orange: Scalar;
  readonly orangeNum: Scalar;
  readonly tax: Scalar;
  readonly allPrice: Scalar;
  readonly price: Scalar;
}

/** The same graph as named Scalars on the tape (not yet differentiated). */
export function priceGraph(): PriceGraph {
  const apple = scalar(APPLE, { name: 'apple' });
  const appleNum = scalar(APPLE_NUM, { name: 'apple_num' });
  const orange = scalar(ORANGE, { name: 'orange' });
  const orangeNum = scalar(ORANGE_NUM, { name: 'orange_num' });
  const tax = scalar(TAX, { name: 'tax' });
  const applePrice = apple.mul(appleNum);
  applePrice.name = 'apple_price';
  const orangePrice = orange.mul(orangeNum);
  orangePrice.name = 'orange_price';
  const allPrice = applePrice.add(orangePrice);
  allPrice.name = 'all_price';
  const price = allPrice.mul(tax);
  price.name = 'price';
  return { apple, appleNum, orange, orangeNum, tax, allPrice, price };
}

/** Runs backward on the tape graph (keeping it, so it can still be explained) and reads the gradients. */
export function priceWithTape(g: PriceGraph = priceGraph()): PriceGradients {
  g.price.backward({ retainGraph: true });
  return {
    price: g.price.value,
    dapple: g.apple.grad,
    dappleNum: g.appleNum.grad,
    dorange: g.orange.grad,
    dorangeNum: g.orangeNum.grad,
    dtax: g.tax.grad,
    dallPrice: g.allPrice.grad,
  };
}

/**
 * The book's four output lines, spaced as Python's print spaces them. JavaScript writes the double 165 as
 * `165` where Python writes `165.0`; the value is the same.
 */
export function bookLines(r: PriceGradients): string[] {
  return [
    `Forward| Price: ${r.price}`,
    `Backward| apple price: ${r.dapple}  apple num: ${r.dappleNum}`,
    `Backward| orange price: ${r.dorange}  orange num: ${r.dorangeNum}`,
    `Backward| tax: ${r.dtax}  all price: ${r.dallPrice}`,
  ];
}
